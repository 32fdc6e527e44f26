// Where completions come from: the local inference process (EngineClient) or a completion server
// (src/core/remote/). The service asks one of these and treats the answer the same way: the
// same stops, filters, typed-ahead and look-ahead.
import type { CompletionOptions, CompletionResult } from './protocol';
import type { DocumentSnapshot } from './snapshot';

export interface CompletionSource {
  /**
   * Resolves to undefined when aborted or when nothing could answer. `onLookAhead` hears the
   * continuation past the answer (the whole text from the cursor, and how much of it may show).
   */
  complete(snapshot: DocumentSnapshot, options: CompletionOptions, signal: AbortSignal, onLookAhead?: (text: string, grown: number) => void): Promise<CompletionResult | undefined>;
  /** Set while a server answers: its name and whether it fills in the middle; undefined: the local model answers. */
  readonly remote?: { readonly name: string; readonly fim: boolean };
  /** The configured server's name, whatever its health; undefined: none is set. */
  readonly server?: string;
}
