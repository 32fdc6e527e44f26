// Where the brackets of the cursor's block balance: a completion that closes a bracket (or the
// string, or the block comment) open at the cursor ends with that line, whatever it wrote after
// it. The filter stopAtBlockEnd and the stop while decoding.
import type { LineRule } from '../lines';
import type { RequestContext } from '../requestContext';
import { lineStop, type TextStop } from './types';

export function blockEndRule(): LineRule {
  let closed = false;
  return (line) => {
    if (closed || line.pops.length === 0) return undefined;
    closed = true;
    // On the last line it ends the completion anyway.
    return line.complete ? line.end : undefined;
  };
}

export const blockEndStop = (ctx: RequestContext): TextStop => lineStop('block-end', ctx, blockEndRule());
