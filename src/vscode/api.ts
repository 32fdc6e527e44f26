// The API the extension returns from activate(): what the integration tests (and other
// extensions) may rely on. Kept small and data-only.

import type { EngineState, EngineStateKind } from '../core/engineState';

export type { EngineState, EngineStateKind };

/** One answer of the inline completion provider, as returned to VS Code. */
export interface CompletionRecord {
  readonly uri: string;
  readonly texts: readonly string[];
  readonly cancelled: boolean;
  /** 'typed-ahead': the rest of an earlier prediction, no model run. */
  readonly source?: 'model' | 'typed-ahead';
}

export interface GhostwriterApi {
  state(): EngineState;
  /** Resolves on the next state whose kind is in `kinds` (at once when the current one is). */
  waitForState(kinds: readonly EngineStateKind[], timeoutMs?: number): Promise<EngineState>;
  /** The most recent provider answers, newest last (at most 20). */
  recentCompletions(): readonly CompletionRecord[];
  /** The last lines of the Ghostwriter log ("level message"), newest last (at most 200). */
  recentLog(): readonly string[];
}
