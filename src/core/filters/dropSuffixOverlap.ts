// A completion that goes on to repeat the lines below the cursor would double them on accept:
// it ends where the repetition starts (nothing left: no suggestion). Only whole lines are
// compared, and only a cut that leaves the completion's own brackets balanced is made: the
// `)` of `print(├len(x)┤)` is the completion's own, and a `}` that closes a block the
// completion opened is not the suffix's `}`. (Closers on the cursor's own line are not cut
// here: src/core/filters/replaceClosers.ts makes the suggestion replace them.)
import { cursorContext } from '../cursorContext';
import { cutKeepsBalance, isSignificant, linesBelow, sameLine } from './lines';
import type { Filter } from './types';

export const dropSuffixOverlap: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  if (ctx.after.trim().length > 0) return completion;
  const below = linesBelow(ctx);
  if (below.length === 0) return completion;
  const parts = completion.split('\n');
  // The cursor's line, completed, is a whole line too, when the completion wrote some of it.
  const lines = parts.map((l, i) => (i === 0 ? ctx.before + l : l));
  for (let i = parts[0].trim().length > 0 ? 0 : 1; i < parts.length; i++) {
    let m = 0;
    while (i + m < lines.length && m < below.length && sameLine(lines[i + m], below[m])) m++;
    const matched = lines.slice(i, i + m);
    if (!matched.some((l) => l.trim().length > 0)) continue;
    // Repeating up to the completion's end is an overlap; repeating and going on counts when it
    // repeats real code, not a lone closer.
    if (i + m < lines.length && !matched.some(isSignificant)) continue;
    const kept = parts.slice(0, i).join('\n');
    if (cutKeepsBalance(kept, completion, ctx)) return kept;
  }
  return completion;
};
