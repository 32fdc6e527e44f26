// The line policy: a single-line completion ends at its line break, a block at its first blank
// line (src/core/completion/lineStop.ts newlineCut, through src/core/completion/stops/newline.ts).
import type { NewlinePolicy } from '../../core/protocol';
import { newlineStop } from '../../core/completion/stops/newline';
import { textCriterion } from './context';
import type { StoppingCriterion } from './types';

/** `midLine`: the cursor has text after it on its line, so even a leading line break ends the text. */
export function newline(policy: NewlinePolicy, midLine = false): StoppingCriterion {
  return textCriterion(newlineStop(policy, midLine));
}
