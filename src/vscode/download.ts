// Model downloads in the editor: a progress notification with the file, bytes, percent and
// Cancel. A download that starts under a load the user asked for (Choose Model, the first-run
// offer) reports into that load's notification; one that starts on its own (the settings named a
// hub model not in the cache yet) gets a notification of its own.
import * as vscode from 'vscode';
import { formatSize } from '../core/hub/catalog';
import type { DownloadProgress } from '../core/hub/index';
import type { DownloadOutcome, DownloadReporter, DownloadStart } from '../core/modelSource';
import type { DownloadRecord } from './api';

type Progress = vscode.Progress<{ message?: string; increment?: number }>;

interface Slot {
  readonly progress: Progress;
  /** The download reporting here now, and how to stop it. */
  cancel?: () => void;
}

/** How many downloads the API remembers. */
const MAX_RECORDS = 20;
/** Progress messages at most this often (a chunk arrives many times a second). */
const REPORT_EVERY_MS = 100;

export class DownloadUi {
  private slot: Slot | undefined;
  private readonly records: DownloadRecord[] = [];

  /** The downloads of this session, newest last. */
  history(): readonly DownloadRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** Runs `work` (a load) under one cancellable notification; a download during it shows there, and Cancel stops it. */
  withProgress<T>(title: string, work: () => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const slot: Slot = { progress };
      const sub = token.onCancellationRequested(() => slot.cancel?.());
      this.slot = slot;
      try {
        return await work();
      } finally {
        sub.dispose();
        if (this.slot === slot) this.slot = undefined;
      }
    });
  }

  /** For createModelSourceResolver's onDownload. */
  readonly start = (start: DownloadStart, cancel: () => void): DownloadReporter => {
    const record: DownloadRecord = { repoId: start.repoId, revision: start.revision, total: start.total, bytes: 0, files: start.fileCount, reports: 0 };
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.shift();
    const slot = this.slot && !this.slot.cancel ? this.slot : undefined;
    let end!: () => void;
    let target: Promise<Progress>;
    if (slot) {
      slot.cancel = cancel;
      target = Promise.resolve(slot.progress);
      end = () => {
        if (slot.cancel === cancel) slot.cancel = undefined;
      };
    } else {
      // No notification to report into: open one for as long as the download runs.
      target = new Promise<Progress>((resolveTarget) => {
        void vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Ghostwriter: downloading ${start.repoId}`, cancellable: true },
          (progress, token) =>
            new Promise<void>((done) => {
              token.onCancellationRequested(() => cancel());
              end = done;
              resolveTarget(progress);
            }),
        );
      });
    }
    let percent = 0;
    let last = 0;
    return {
      progress: (p: DownloadProgress) => {
        record.reports++;
        record.bytes = p.bytes;
        record.total = p.total;
        const now = Date.now();
        const done = p.fileBytes >= p.fileTotal && p.fileIndex === p.fileCount - 1;
        if (now - last < REPORT_EVERY_MS && !done) return;
        last = now;
        const pct = p.total > 0 ? Math.min(100, Math.floor((100 * p.bytes) / p.total)) : 100;
        const increment = pct - percent;
        percent = pct;
        const message = `${p.file} · ${formatSize(p.bytes)} of ${formatSize(p.total)} (${pct}%)${p.fileCount > 1 ? ` · file ${p.fileIndex + 1} of ${p.fileCount}` : ''}`;
        void target.then((progress) => progress.report({ message, ...(increment > 0 ? { increment } : {}) }));
      },
      end: (outcome: DownloadOutcome) => {
        record.outcome = outcome;
        void target.then(() => end());
      },
    };
  };
}
