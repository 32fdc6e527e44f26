// What the stop rules (during decoding, in the inference process) and the filters (after it, in
// the extension host) may read of the place a completion goes: the cursor's line around the
// cursor, the lines below it, the language, what is open at the cursor, the indentation. Data
// only: it travels over IPC in CompletionOptions, built once per request from the snapshot.
import { blockMayFollow } from './blockFollows';
import type { ScanState } from './codeScan';
import { restAllowsSuggestion, type LineMode } from './completionPolicy';
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
  /**
   * A single line may go on into the block its first line opens (lineMode 'auto', and the place
   * allows it: src/core/completion/blockFollows.ts). Absent: it may not.
   */
  readonly followBlock?: boolean;
}

/** The request context of a snapshot (a plain copy of the cursor context's data, safe to send); `mode` says whether a block may follow a line. */
export function requestContext(snapshot: DocumentSnapshot, mode?: LineMode): RequestContext {
  const { languageId, before, after, nextLines, state, indent } = cursorContext(snapshot);
  return { languageId, before, after, nextLines: [...nextLines], state, indent, ...(followsBlock(snapshot, mode) ? { followBlock: true } : {}) };
}

/** Whether, in this line mode, a single line at the snapshot's cursor may go on into a block it opens. */
export function followsBlock(snapshot: DocumentSnapshot, mode: LineMode | undefined): boolean {
  if (mode !== 'auto') return false;
  const ctx = cursorContext(snapshot);
  return blockMayFollow(ctx, restAllowsSuggestion(ctx.after));
}
