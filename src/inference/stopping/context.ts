// The criteria that read the request's context (src/core/completion/requestContext.ts): where the text
// starts to reproduce the suffix, where indentation returns above the block, where the
// brackets of the cursor's block balance, repeated lines, a closer the suffix already has,
// the language's stop sequences, and the line policy. Each is a text rule in src/core/completion/stops/
// (one per file), shared with the filters and replayed by the extension host over text decoded
// without them; here they become criteria over the decoded text.
import type { NewlinePolicy } from '../../core/protocol';
import type { RequestContext } from '../../core/completion/requestContext';
import { textStops, type TextStop } from '../../core/completion/stops';
import type { StoppingCriterion } from './types';

export function textCriterion(stop: TextStop): StoppingCriterion {
  return ({ text }) => {
    const cut = stop.check(text);
    return cut && { reason: stop.reason, cutAt: cut.cutAt, seenAt: cut.seenAt };
  };
}

/** Fresh criteria for one sequence: the line policy's and the context's, as src/core/completion/stops lists them. */
export function contextCriteria(ctx: RequestContext, policy: NewlinePolicy): StoppingCriterion[] {
  return textStops(ctx, policy).map(textCriterion);
}
