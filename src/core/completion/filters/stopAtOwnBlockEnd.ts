// A block the completion opened itself ends where its brackets balance or its indentation
// returns to its header's; a statement after a header on the cursor's line is the whole body.
// The rule is src/core/completion/stops/ownBlockEnd.ts, which also stops decoding there; this
// filter reads the last line too, which no line break ended.
import { cursorContext } from '../cursorContext';
import { cutByLines } from '../lines';
import { ownBlockEndRule } from '../stops/ownBlockEnd';
import type { Filter } from './types';

export const stopAtOwnBlockEnd: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  // Where the stop never applies: in a string or comment, or on an empty line (a block there may hold several statements).
  if (ctx.state.str || ctx.state.comment || ctx.before.trim().length === 0) return completion;
  return cutByLines(completion, ctx, ownBlockEndRule(ctx));
};
