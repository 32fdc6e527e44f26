// Typing what the model predicted needs no model run: when the document continues an earlier
// request's text (the shown suggestion, or the look-ahead decoded past it), the rest of that
// same text is the next suggestion. So a suggestion never changes under the user's fingers.
import { currentLine, cursorOffset, type DocumentSnapshot } from '../snapshot';

export interface Prediction {
  readonly path: string;
  readonly version: number;
  /** Document offset of the cursor the prediction starts at. */
  readonly cursor: number;
  /** The text just before that cursor, to recognise the same place. */
  readonly before: string;
  /** The rest of the cursor's line then, which typing must not have changed. */
  readonly lineAfter: string;
  /** The raw continuation from that cursor (before filters): the suggestion, then the look-ahead. */
  readonly text: string;
  /** How much of `text` the suggestion itself was. */
  readonly shown: number;
}

/** How much of the text before the cursor must still match. */
const CONTEXT_CHARS = 256;

export function predictionAt(snapshot: DocumentSnapshot, text: string): Prediction {
  return {
    path: snapshot.path,
    version: snapshot.version,
    cursor: cursorOffset(snapshot),
    before: snapshot.prefix.slice(-CONTEXT_CHARS),
    lineAfter: currentLine(snapshot).after,
    text,
    shown: text.length,
  };
}

/**
 * The part of the prediction still ahead of the cursor, when the snapshot is the predicted
 * place with a prefix of the prediction typed; undefined otherwise. Inside the suggestion it is
 * the rest of that suggestion, never more (it must not grow while the user types it); past its
 * end, what the look-ahead decoded.
 */
export function remainingPrediction(p: Prediction, snapshot: DocumentSnapshot): string | undefined {
  if (p.path !== snapshot.path) return undefined;
  const typed = cursorOffset(snapshot) - p.cursor;
  if (typed < 0 || typed >= p.text.length || typed > snapshot.prefix.length) return undefined;
  const cut = snapshot.prefix.length - typed;
  const typedText = snapshot.prefix.slice(cut);
  if (typedText !== p.text.slice(0, typed)) return undefined;
  const before = snapshot.prefix.slice(Math.max(0, cut - CONTEXT_CHARS), cut);
  if (!p.before.endsWith(before) && !before.endsWith(p.before)) return undefined;
  if (!sameLineAfter(currentLine(snapshot).after, p.lineAfter, typedText)) return undefined;
  return typed < p.shown ? p.text.slice(typed, p.shown) : p.text.slice(typed);
}

/** Whether the text before the cursor is the prediction's start, or all of it: the user typed or accepted it. */
export function continuesPrediction(p: Prediction, snapshot: DocumentSnapshot): boolean {
  const typed = cursorOffset(snapshot) - p.cursor;
  return p.path === snapshot.path && typed > 0 && typed <= p.text.length && snapshot.prefix.endsWith(p.text.slice(0, typed));
}

const CLOSER_OF: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}', "'": "'", '"': '"', '`': '`' };

/**
 * The rest of the line is as it was, or the editor auto-closed what the typed text opened (typing
 * `(` of a suggestion inserts `()`): the suggestion still applies, and re-emits that closer.
 */
function sameLineAfter(after: string, before: string, typed: string): boolean {
  if (after === before) return true;
  if (!after.endsWith(before)) return false;
  const added = after.slice(0, after.length - before.length);
  const open = new Map<string, number>();
  for (const c of typed) {
    const closer = CLOSER_OF[c];
    if (closer) open.set(closer, (open.get(closer) ?? 0) + 1);
  }
  for (const c of added) {
    const left = open.get(c) ?? 0;
    if (left === 0) return false;
    open.set(c, left - 1);
  }
  return true;
}
