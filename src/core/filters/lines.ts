// Helpers the line-based filters share (not a filter).
import { imbalance, scanCode } from '../codeScan';
import type { CursorContext } from '../cursorContext';

/** A line that says something: code worth recognising as a repeat, not a lone `}` or `else:`. */
export function isSignificant(line: string): boolean {
  const t = line.trim();
  return t.length >= 4 && /[\p{L}\p{N}_]/u.test(t);
}

/** A line of closing brackets (and the punctuation after them): `}`, `});`, `],`. */
export function isClosingLine(line: string): boolean {
  return /^[)\]}]+[)\]};,]*$/.test(line.trim());
}

/** The lines after the cursor's line, from the first that is not blank. */
export function linesBelow(ctx: CursorContext): readonly string[] {
  const first = ctx.nextLines.findIndex((l) => l.trim().length > 0);
  return first < 0 ? [] : ctx.nextLines.slice(first);
}

/** Per line of the completion: whether it starts inside a string or comment (its whitespace is text, not indentation). */
export function linesInText(completion: string, ctx: CursorContext): boolean[] {
  let state = ctx.state;
  return completion.split('\n').map((line, i) => {
    // The first line starts at the cursor, inside whatever is open there.
    const inside = i > 0 && (state.str !== undefined || state.comment === 'block');
    state = scanCode(`${line}\n`, ctx.languageId, state).state;
    return inside;
  });
}

/** Two lines are the same line: code compared without its indentation, a lone closer with it (`\t}` is not `}`). */
export function sameLine(a: string, b: string): boolean {
  return isSignificant(a) ? a.trim() === b.trim() : a.trimEnd() === b.trimEnd();
}

/** Cutting `completion` down to `kept` leaves it no less balanced at the cursor (it does not cut a bracket it opened itself). */
export function cutKeepsBalance(kept: string, completion: string, ctx: CursorContext): boolean {
  return imbalance(kept, ctx.languageId, ctx.state) <= imbalance(completion, ctx.languageId, ctx.state);
}
