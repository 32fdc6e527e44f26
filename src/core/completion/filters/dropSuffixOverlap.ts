// A completion that goes on to repeat the lines below the cursor would double them on accept:
// it ends where the repetition starts (nothing left: no suggestion). Only whole lines are
// compared, and only a cut that leaves the completion's own brackets balanced is made. The rule
// is src/core/completion/stops/suffixOverlap.ts, which also stops decoding there.
import { cursorContext } from '../cursorContext';
import { cutByLines } from '../lines';
import { suffixOverlapRule } from '../stops/suffixOverlap';
import type { Filter } from './types';

export const dropSuffixOverlap: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  const rule = suffixOverlapRule(ctx);
  return rule ? cutByLines(completion, ctx, rule) : completion;
};
