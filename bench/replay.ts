// A typing replay through CompletionService and EngineClient, the extension's path: real code
// typed key by key at a human pace, each key a completion request whose signal aborts when the
// next key arrives (as VS Code cancels the previous inline-completion request).
import type { Settings } from '../src/core/config';
import type { CompletionService } from '../src/core/completionService';
import type { SourceFile } from './corpus';
import { extension } from './corpus';
import { snapshotAt } from './editorSnapshot';
import { sleep } from './procStats';
import { seededRandom, uniform } from './rng';

export interface ReplayPace {
  /** Keystrokes per file. */
  readonly keystrokes: number;
  /** Lines of the region the keys are taken from. */
  readonly regionLines: number;
  readonly keyMs: readonly [number, number];
  readonly pauseMs: readonly [number, number];
  /** Chance of a pause after a line break, and after any other key. */
  readonly pauseAfterLine: number;
  readonly pauseAfterKey: number;
  readonly seed: number;
}

export interface RequestRecord {
  readonly file: string;
  readonly key: number;
  /** Request to answer, ms (the debounce included). */
  readonly ms: number;
  readonly cancelled: boolean;
  readonly source?: string;
  readonly suggestions: number;
}

export interface FileReplay {
  readonly path: string;
  readonly languageId: string;
  readonly startLine: number;
  readonly keystrokes: number;
  readonly charsTyped: number;
  readonly pauses: number;
  readonly durationMs: number;
}

/** A key: what it inserts. Enter inserts the line break and the next line's indentation, as editors auto-indent. */
export function keystrokes(region: string, max: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < region.length && keys.length < max; ) {
    if (region[i] === '\n') {
      let j = i + 1;
      while (j < region.length && (region[j] === ' ' || region[j] === '\t')) j++;
      keys.push(region.slice(i, j));
      i = j;
    } else {
      keys.push(region[i]);
      i++;
    }
  }
  return keys;
}

export async function replayFile(
  service: CompletionService,
  settings: Settings,
  file: SourceFile,
  pace: ReplayPace,
  records: RequestRecord[],
): Promise<FileReplay> {
  const random = seededRandom(pace.seed);
  const lines = file.text.split('\n');
  // A region in the middle part of the file that starts with code.
  let startLine = Math.floor(uniform(random, 0.15, 0.6) * Math.max(1, lines.length - pace.regionLines));
  while (startLine < lines.length - 1 && lines[startLine].trim().length === 0) startLine++;
  const before = lines.slice(0, startLine).join('\n') + '\n';
  const region = lines.slice(startLine, startLine + pace.regionLines).join('\n') + '\n';
  // Typing new lines: the rest of the file starts on the line after the cursor's.
  const after = '\n' + lines.slice(startLine + pace.regionLines).join('\n');
  const keys = keystrokes(region, pace.keystrokes);
  const path = `/bench/replay/${file.path.split('/').pop()!.replace(/\.[a-z]+$/, '')}${extension(file.languageId)}`;

  const started = performance.now();
  let typed = '';
  let pauses = 0;
  let previous: AbortController | undefined;
  const inFlight: Promise<void>[] = [];
  for (let k = 0; k < keys.length; k++) {
    typed += keys[k];
    // The key arrives: VS Code cancels the request of the key before and asks again.
    previous?.abort();
    const controller = new AbortController();
    previous = controller;
    const doc = { text: before + typed + after, languageId: file.languageId, path, version: k + 2 };
    const snapshot = snapshotAt(doc, before.length + typed.length, settings.contextTokens);
    const issuedAt = performance.now();
    inFlight.push(
      service.complete(snapshot, settings, controller.signal).then(
        (answer) => {
          records.push({ file: path, key: k, ms: performance.now() - issuedAt, cancelled: answer.cancelled, ...(answer.source ? { source: answer.source } : {}), suggestions: answer.texts.length });
        },
        (err: unknown) => {
          records.push({ file: path, key: k, ms: performance.now() - issuedAt, cancelled: false, source: `error: ${String(err)}`, suggestions: 0 });
        },
      ),
    );
    const pause = random() < (keys[k].startsWith('\n') ? pace.pauseAfterLine : pace.pauseAfterKey);
    if (pause) pauses++;
    await sleep(pause ? uniform(random, ...pace.pauseMs) : uniform(random, ...pace.keyMs));
  }
  // The last request is never cancelled: wait for its answer.
  await Promise.all(inFlight);
  return {
    path: file.path,
    languageId: file.languageId,
    startLine: startLine + 1,
    keystrokes: keys.length,
    charsTyped: typed.length,
    pauses,
    durationMs: performance.now() - started,
  };
}
