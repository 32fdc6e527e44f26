// The API the extension returns from activate(): what the integration tests (and other
// extensions) may rely on. Kept small and data-only.

import type { EngineState, EngineStateKind } from '../core/engineState';
import type { RouteState } from '../core/remote/router';

export type { EngineState, EngineStateKind, RouteState };

/** One answer of the inline completion provider, as returned to VS Code. */
export interface CompletionRecord {
  readonly uri: string;
  readonly texts: readonly string[];
  readonly cancelled: boolean;
  /** 'typed-ahead': the rest of an earlier prediction, no model run. */
  readonly source?: 'model' | 'typed-ahead';
  /** Not asked at all: suggestions are off for the document's language, or snoozed. */
  readonly skipped?: 'language' | 'snoozed';
  /** performance.now() in the extension host when VS Code asked (before it: VS Code's own delay; after it: Ghostwriter's) and when the answer went back. */
  readonly askedAt: number;
  readonly at: number;
  /** The document's version when VS Code asked, and when the answer went back (the document is live). */
  readonly version?: number;
  readonly answeredVersion?: number;
  /** VS Code had cancelled the request by the time it was answered. */
  readonly tokenCancelled?: boolean;
  /** 'explicit': Trigger Inline Suggestion; 'automatic': VS Code asked as the user typed. */
  readonly trigger?: 'automatic' | 'explicit';
}

/** A model download from the Hugging Face hub (progress as the notification showed it). */
export interface DownloadRecord {
  repoId: string;
  revision: string;
  /** Bytes this download fetches (files already in the cache not counted) and how many arrived. */
  total: number;
  bytes: number;
  files: number;
  /** Progress reports received. */
  reports: number;
  /** Absent while it runs. */
  outcome?: 'done' | 'cancelled' | 'failed';
}

/** A model offered in a notification (the first run, the status bar with no model): what it said, and what accepting runs. */
export interface OfferRecord {
  readonly message: string;
  readonly actions: readonly string[];
  /** The command (and arguments) the first action runs. */
  readonly accept: { readonly command: string; readonly args: readonly unknown[] };
}

/** A model list Choose Model showed (its first picker): each item as the user saw it. */
export interface PickRecord {
  readonly title: string;
  readonly items: readonly { readonly label: string; readonly description?: string; readonly detail?: string }[];
}

export interface GhostwriterApi {
  state(): EngineState;
  /** Resolves on the next state whose kind is in `kinds` (at once when the current one is). */
  waitForState(kinds: readonly EngineStateKind[], timeoutMs?: number): Promise<EngineState>;
  /** The most recent provider answers, newest last (at most 500). */
  recentCompletions(): readonly CompletionRecord[];
  /** Every provider answer as it goes back to VS Code. */
  onDidAnswer(listener: (record: CompletionRecord) => void): { dispose(): void };
  /** The last lines of the Ghostwriter log ("level message"), newest last (at most 200). */
  recentLog(): readonly string[];
  /** Model downloads of this session, newest last (at most 20). */
  downloads(): readonly DownloadRecord[];
  /** Models offered in notifications in this session, newest last. */
  offers(): readonly OfferRecord[];
  /** Model lists Choose Model showed in this session, newest last. */
  picks(): readonly PickRecord[];
  /** The status bar item's text as shown now. */
  statusBarText(): string;
  /** The completion server's status item text ('' when no server is set), and the route it shows. */
  serverStatusText(): string;
  serverRoute(): RouteState;
}
