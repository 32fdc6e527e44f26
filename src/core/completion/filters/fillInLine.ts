// Fill-in-line: with a fill-in-the-middle model, a cursor before other text on its line (not only
// closers: `print(├, file=sys.stderr)`, `padding: ├px;`) gets one line that fits between the two
// sides. The model saw the rest of the line and often writes it again: the first copy of the
// whole rest, and a trailing copy of its start (`.strip` before `.strip()`), are cut; a bracket
// open at the cursor that the rest closes is closed by the rest, so the completion ends before
// its own closer of it (`"error")` before `, file=sys.stderr)` would close the call too early).
// A line that leaves open a bracket it opened does not fit (`compute(` before ` + 1`): none.
// Nothing after the cursor is replaced: the completion is inserted. (A rest of only closers is
// src/core/completion/filters/replaceClosers.ts's: the completion may re-emit and replace it.)
import { CodeScanner, scanCode } from '../codeScan';
import { restAllowsSuggestion } from '../completionPolicy';
import { cursorContext } from '../cursorContext';
import type { Filter } from './types';

/** A trailing copy of the rest's start shorter than this is a coincidence (`a` before `a)`), unless it is the whole rest. */
const MIN_COPY = 2;

export const fillInLine: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  const rest = ctx.after.trim();
  if (rest.length === 0 || restAllowsSuggestion(ctx.after)) return completion;
  // One line: the other side is on this line.
  let text = completion.split('\n', 1)[0];
  const copy = text.indexOf(rest);
  if (copy >= 0) text = text.slice(0, copy);
  const mine = new CodeScanner(ctx.languageId, ctx.state);
  mine.feed(text);
  // A bracket it opened and left open would take the rest of the line inside it (`compute(` before ` + 1`).
  if (mine.opened - (mine.state.str && !ctx.state.str ? 1 : 0) > 0) return undefined;
  if (mine.closers.length > 0 && scanCode(ctx.after, ctx.languageId, ctx.state).pops.length > 0) text = text.slice(0, mine.closers[0]);
  for (let n = Math.min(rest.length, text.length); n > 0; n--) {
    const piece = rest.slice(0, n);
    const boundary = n === rest.length || !/[\p{L}\p{N}_$]/u.test(rest[n]) || !/[\p{L}\p{N}_$]/u.test(rest[n - 1]);
    if ((n >= MIN_COPY || n === rest.length) && boundary && text.endsWith(piece)) {
      text = text.slice(0, text.length - n);
      break;
    }
  }
  return text;
};
