// A completion that goes on to repeat the lines below the cursor would double them on accept:
// it ends where the repetition starts (nothing left: no suggestion). Only whole lines are
// compared, and only a cut that leaves the completion's own brackets balanced is made: the
// `)` of `print(├len(x)┤)` is the completion's own, and a `}` that closes a block the
// completion opened is not the suffix's `}`. (Closers on the cursor's own line are not cut
// here: src/core/completion/filters/replaceClosers.ts makes the suggestion replace them.)
//
// Each line is matched once: a run starts at a line equal to the first line below, and grows
// while the next lines match the next lines below. While decoding, a run counts once it repeats
// real code (a lone `}` may be followed by something else) and the cut keeps the brackets the
// completion closed so far (what it opened it may still close). On a finished completion a run
// that reaches its end counts too, and the balance is the whole completion's.
import { imbalance } from '../codeScan';
import { endBefore, isSignificant, linesBelow, sameLine, type LineRule } from '../lines';
import type { RequestContext } from '../requestContext';
import { lineStop, never, type TextStop } from './types';

interface Run {
  readonly start: number;
  length: number;
  alive: boolean;
  significant: boolean;
  /** imbalance() of the completion cut before the run, once asked. */
  kept?: number;
}

export function suffixOverlapRule(ctx: RequestContext): LineRule | undefined {
  if (ctx.after.trim().length > 0) return undefined;
  const below = linesBelow(ctx);
  if (below.length === 0) return undefined;
  const runs: Run[] = [];
  return (line, reader, text) => {
    const j = line.index;
    for (const run of runs) {
      if (!run.alive) continue;
      if (run.length < below.length && sameLine(line.whole, below[run.length])) {
        run.length++;
        run.significant ||= isSignificant(line.whole);
      } else run.alive = false;
    }
    // A run that ended before it repeated real code can never count: forget it, so a line costs
    // the runs still open, not every `}` the completion wrote before.
    let kept = 0;
    for (const run of runs) if (run.alive || run.significant) runs[kept++] = run;
    runs.length = kept;
    // The cursor's line, completed, is a whole line too, when the completion wrote some of it.
    const from = reader.lines[0].text.trim().length > 0 ? 0 : 1;
    if (j >= from && sameLine(line.whole, below[0])) runs.push({ start: j, length: 1, alive: true, significant: isSignificant(line.whole) });
    for (const run of runs) {
      const toEnd = run.alive && !line.complete;
      if (!run.significant && !toEnd) continue;
      const cut = endBefore(reader, run.start);
      const kept = (run.kept ??= imbalance(text.slice(0, cut), ctx.languageId, ctx.state));
      if (kept <= (line.complete ? line.closed : line.imbalance)) return cut;
    }
    return undefined;
  };
}

export function suffixOverlapStop(ctx: RequestContext): TextStop {
  const rule = suffixOverlapRule(ctx);
  return rule ? lineStop('suffix-overlap', ctx, rule) : never('suffix-overlap');
}
