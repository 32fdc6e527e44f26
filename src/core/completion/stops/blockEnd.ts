// Where the brackets of the cursor's block balance: a completion that closes a bracket (or the
// string, or the block comment) open at the cursor ends with that line, whatever it wrote after
// it. Except a first line that, after closing, opens a block of its own where a block may follow
// (`function sum(a:├ number): number {┤)`: the header's body comes next, and
// src/core/completion/stops/ownBlockEnd.ts ends it). The filter stopAtBlockEnd and the stop while decoding.
import { opensOwnBlock } from '../blockFollows';
import { EMPTY_STATE } from '../codeScan';
import type { LineRule } from '../lines';
import type { RequestContext } from '../requestContext';
import { lineStop, type TextStop } from './types';

export function blockEndRule(ctx?: RequestContext): LineRule {
  let closed = false;
  return (line) => {
    if (closed || line.pops.length === 0) return undefined;
    closed = true;
    if (ctx?.followBlock && line.index === 0 && line.complete) {
      const tail = line.text.slice(line.pops[line.pops.length - 1] - line.start);
      if (opensOwnBlock(tail, { languageId: ctx.languageId, state: EMPTY_STATE, before: '' })) return undefined;
    }
    // On the last line it ends the completion anyway.
    return line.complete ? line.end : undefined;
  };
}

export const blockEndStop = (ctx: RequestContext): TextStop => lineStop('block-end', ctx, blockEndRule(ctx));
