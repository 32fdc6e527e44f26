// Where a block the completion opened itself ends. Its header is the completion's first line with
// text, when that line leaves open an opener it wrote (src/core/completion/blockFollows.ts): the
// block ends on the line where the brackets it opened balance again (`}`, `})`; `} else {`
// reopens and goes on); a block opened without brackets (`:`, `then`, `=>`) ends before the
// first line not indented deeper than its header, one closing line at the header's indentation
// kept (`end`, `fi`) and a continuation (`else:`, `elif`, `except`) going on. When the header is
// not a block of its own but a statement after a header on the cursor's line (`if (x) ├return 1;┤`),
// the statement is the body: a line at the cursor line's indentation after it is not.
// It applies where the cursor's line has code before the cursor, or where a single line goes on
// into its block (RequestContext.followBlock): on an empty line a block may hold several statements.
import { CodeScanner } from '../codeScan';
import { indentWidth } from '../cursorContext';
import { opensOwnBlock } from '../blockFollows';
import { endBefore, type LineRule } from '../lines';
import type { NewlinePolicy } from '../../protocol';
import type { RequestContext } from '../requestContext';
import { lineStop, never, type TextStop } from './types';

/** A line at the header's indentation that closes its block. */
const CLOSING = /^([)\]}]|<\/|(end|fi|done|esac|until)\b)/;
/** A line at the header's indentation that goes on with the same statement. */
const CONTINUES = /^(\}\s*)?(else|elif|elsif|elseif|except|finally|catch|rescue|ensure|when|case|default)\b/;

interface Header {
  readonly indent: number;
  /** Brackets the block opened: the scanner from the header's start. */
  readonly scanner: CodeScanner;
  readonly brackets: boolean;
  /** The header is a statement on a header's line, not a block of its own. */
  readonly statement: boolean;
}

export function ownBlockEndRule(ctx: RequestContext): LineRule {
  let header: Header | null | undefined;
  const cursorIndent = indentWidth(ctx.before);
  return (line, reader) => {
    if (header === null) return undefined;
    const blank = line.text.trim().length === 0;
    if (header === undefined) {
      if (blank) return undefined;
      const atCursor = line.index === 0;
      const start = atCursor ? ctx.state : { stack: ctx.state.stack };
      const own = opensOwnBlock(line.text, ctx, atCursor);
      // A statement written after a header on the cursor's line (`if (x) `, `else `): its body.
      const statement = !own && atCursor && ctx.before.trim().length > 0 && !ctx.followBlock;
      if (!own && !statement) {
        header = null;
        return undefined;
      }
      const scanner = new CodeScanner(ctx.languageId, start);
      scanner.feed(`${line.text}\n`);
      const indent = atCursor && ctx.before.trim().length > 0 ? cursorIndent : indentWidth(atCursor ? ctx.before + line.text : line.text);
      header = { indent, scanner, brackets: scanner.opened > 0, statement };
      return undefined;
    }
    header.scanner.feed(line.complete ? `${line.text}\n` : line.text);
    if (blank || line.inText) return undefined;
    if (header.brackets && header.scanner.opened <= 0) return line.end;
    if (indentWidth(line.text) > header.indent) return undefined;
    const t = line.text.trim();
    if (header.statement) return CLOSING.test(t) ? line.end : endBefore(reader, line.index);
    if (CONTINUES.test(t)) return undefined;
    if (header.brackets) return undefined;
    return CLOSING.test(t) ? line.end : endBefore(reader, line.index);
  };
}

/** Only where a line may become a block (the cursor's line has code, or the block follows a single line). */
export function ownBlockEndStop(ctx: RequestContext, policy: NewlinePolicy): TextStop {
  // Inside a string or comment the lines are text: their indentation says nothing.
  if (ctx.state.str || ctx.state.comment) return never('own-block-end');
  if (policy === 'none' || (policy === 'singleLine' && !ctx.followBlock)) return never('own-block-end');
  if (ctx.before.trim().length === 0 && !ctx.followBlock) return never('own-block-end');
  return lineStop('own-block-end', ctx, ownBlockEndRule(ctx));
}
