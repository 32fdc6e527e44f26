// At the end of the last member of a list-like block (a struct's fields, an interface's members,
// match arms, an object or array literal, a CSS rule, a YAML mapping, a Markdown list; and after a
// Markdown heading, its section) the next members go on the
// lines below: several lines, ended by the stops where the block's closer (already below) or the
// outer indentation comes. A statement's body is not such a list: after `return x;` in a function
// a second line is seldom wanted, so only blocks whose opener says they hold members count.
import { indentWidth, type CursorContext } from './cursorContext';
import { linesBelow } from './lines';

/** Openers of blocks that hold members, on the opener's line (before the `{` or `[`). */
const MEMBER_BLOCK = /\b(struct|interface|enum|union|record|match|impl|trait)\b[^{]*\{$|[=:(,]\s*[{[]$|^\s*[{[]$|\breturn\s*[{[]$/;

export function listContinues(ctx: CursorContext): boolean {
  if (ctx.after.trim().length > 0 || ctx.state.str || ctx.state.comment) return false;
  const code = ctx.before.trim();
  if (code.length === 0) return false;
  const next = linesBelow(ctx)[0];
  const deeperBelow = next !== undefined && indentWidth(next) >= indentWidth(ctx.before) && !/^\s*[)\]}]/.test(next);
  if (deeperBelow) return false;
  if (ctx.languageId === 'markdown') {
    // A heading: its section follows. A list's last item: more items.
    return /^#{1,6}\s+\S/.test(code) || (/^([-*+]|\d+[.)])\s+\S/.test(code) && (next === undefined || !/^\s*([-*+]|\d+[.)])\s/.test(next)));
  }
  if (ctx.languageId === 'yaml') {
    // A nested `key: value` (or `- item`) that is the last of its mapping.
    return indentWidth(ctx.before) > 0 && /^(-\s+)?[\w"'.-]+:\s+\S|^-\s+\S/.test(code);
  }
  const top = ctx.state.stack[ctx.state.stack.length - 1];
  if (!top) return false;
  // The block's closer is below (the code after the cursor is whole), at a lower indentation.
  if (next === undefined || !/^\s*[)\]}]/.test(next) || indentWidth(next) >= indentWidth(ctx.before)) return false;
  const lineStart = ctx.scanned.lastIndexOf('\n', top.at) + 1;
  const opener = ctx.scanned.slice(lineStart, top.at + 1);
  if (['css', 'scss', 'less'].includes(ctx.languageId)) return top.ch === '{';
  return MEMBER_BLOCK.test(opener);
}
