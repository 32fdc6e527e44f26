// A post-processing filter: one completion in, a cleaned completion (or undefined = drop it) out.
// Filters see the text with '\n' line breaks and a snapshot whose prefix and suffix have them too
// (src/core/completion/suggestion.ts normalizes before and restores the document's line ending after).
import type { DocumentSnapshot } from '../../snapshot';

export type Filter = (completion: string, snapshot: DocumentSnapshot) => string | undefined;

/** What the editor shows: the text, and how many characters after the cursor it replaces. */
export interface Suggestion {
  readonly text: string;
  /** UTF-16 code units of the cursor's line after the cursor that the text replaces (0: insert). */
  readonly replaceSuffixChars: number;
}

/** A filter that may also widen the range: it decides what the text replaces after the cursor. */
export type RangeFilter = (completion: string, snapshot: DocumentSnapshot) => Suggestion | undefined;
