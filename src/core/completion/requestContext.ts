// What the stop rules (during decoding, in the inference process) and the filters (after it, in
// the extension host) may read of the place a completion goes: the cursor's line around the
// cursor, the lines below it, the language, what is open at the cursor, the indentation. Data
// only: it travels over IPC in CompletionOptions, built once per request from the snapshot.
import type { ScanState } from './codeScan';
import { cursorContext } from './cursorContext';
import type { DocumentSnapshot } from '../snapshot';

export interface IndentStyle {
  readonly tabs: boolean;
  /** Spaces per level (for tabs: how many columns a tab counts as). */
  readonly unit: number;
}

export interface RequestContext {
  readonly languageId: string;
  /** The cursor's line before and after the cursor (the prefix's tail, the suffix's head), without line-ending characters. */
  readonly before: string;
  readonly after: string;
  /** Lines after the cursor's line (the suffix's first lines, at most 40), without line-ending characters. */
  readonly nextLines: readonly string[];
  /** Brackets, string and comment open at the cursor. */
  readonly state: ScanState;
  /** The document's indentation, when the window shows it (else a language default, if any). */
  readonly indent: IndentStyle | undefined;
}

/** The request context of a snapshot (a plain copy of the cursor context's data, safe to send). */
export function requestContext(snapshot: DocumentSnapshot): RequestContext {
  const { languageId, before, after, nextLines, state, indent } = cursorContext(snapshot);
  return { languageId, before, after, nextLines: [...nextLines], state, indent };
}
