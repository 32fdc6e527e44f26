// Where indentation returns above the block: lines after the completion's first with text are
// kept while they are indented at least as deep as it; a dedented closing line (a bracket, a tag,
// or one that closes what is open at the cursor) is the block's last, any other dedented line is
// not part of it. Lines that start inside a string or comment are text: their indentation says
// nothing. The filter stopAtDedent and the stop while decoding.
import { indentWidth } from '../cursorContext';
import { endBefore, type LineRule } from '../lines';
import type { RequestContext } from '../requestContext';
import { lineStop, type TextStop } from './types';

export function dedentRule(ctx: RequestContext): LineRule {
  /** The block's level, set by the first line with text. */
  let base: number | undefined;
  return (line, reader) => {
    const blank = line.text.trim().length === 0;
    if (base === undefined) {
      if (blank) return undefined;
      // On the cursor's line that is the line's indentation.
      base = line.index > 0 ? indentWidth(line.text) : ctx.before.trim().length === 0 ? indentWidth(ctx.before + line.text) : indentWidth(ctx.before);
      return undefined;
    }
    if (line.inText || blank || indentWidth(line.text) >= base) return undefined;
    const closes = /^([)\]}]|<\/)/.test(line.text.trim()) || line.pops.length > 0;
    return closes ? line.end : endBefore(reader, line.index);
  };
}

export const dedentStop = (ctx: RequestContext): TextStop => lineStop('dedent', ctx, dedentRule(ctx));
