// The block follows the completion: in 'auto', a first line that leaves open an opener it wrote
// itself (`{`, `(`, `[`, `=>`, `:` in Python and YAML, an opening tag, `then`/`do`), outside
// strings and comments, goes on into the block it opens, though the cursor's line decided on a
// single line (the line/block decision reads only the text before the cursor; the model often
// writes the header itself: `func parseHeader` + `(b []byte) error {`). Not when the lines
// below already are its body (they are indented deeper than the cursor's line), in a comment
// (prose, a line at a time), or before other text on the line (a fill-in-line stays one line).
// The newline stop (stops/newline.ts) asks it while decoding; stops/ownBlockEnd.ts ends the block.
import { CodeScanner } from './codeScan';
import { indentWidth } from './cursorContext';
import { linesBelow } from './lines';
import type { RequestContext } from './requestContext';

/** Whether the place lets a block follow a first line that opens one: computed once per request. */
export function blockMayFollow(ctx: Pick<RequestContext, 'state' | 'after' | 'nextLines' | 'before'>, closersOnlyRest: boolean): boolean {
  if (ctx.state.comment === 'line' || ctx.state.str) return false;
  if (ctx.after.trim().length > 0 && !closersOnlyRest) return false;
  const below = linesBelow(ctx)[0];
  return below === undefined || indentWidth(below) <= indentWidth(ctx.before);
}

const COLON_LANGUAGES = new Set(['python', 'yaml']);
const KEYWORD_LANGUAGES = new Set(['lua', 'ruby', 'shellscript', 'elixir', 'julia']);
const TAG_LANGUAGES = new Set(['html', 'xml', 'vue', 'svelte', 'javascriptreact', 'typescriptreact', 'php']);
const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * Whether `line`, the completion's first line with text (written from the cursor's state when
 * `atCursor`, else from a line start after it), leaves open an opener it wrote itself.
 */
export function opensOwnBlock(line: string, ctx: Pick<RequestContext, 'languageId' | 'state' | 'before'>, atCursor = true): boolean {
  if (line.trim().length === 0) return false;
  const start = atCursor ? ctx.state : { stack: ctx.state.stack };
  const scanner = new CodeScanner(ctx.languageId, start);
  scanner.feed(line);
  const end = scanner.state;
  const stringOpened = end.str !== undefined && start.str === undefined ? 1 : 0;
  if (scanner.opened - stringOpened > 0) return true;
  // The keywords and tags below count only in code: not after a line comment or inside a string.
  if (end.comment || end.str) return false;
  const code = line.trimEnd();
  if (/=>$/.test(code) && !/^\s*(\/\/|#)/.test(code)) return true;
  if (COLON_LANGUAGES.has(ctx.languageId) && /:$/.test(code) && !/^\s*#/.test(code)) return true;
  if (KEYWORD_LANGUAGES.has(ctx.languageId) && /\b(then|do)(\s*\|[^|]*\|)?$/.test(code)) return true;
  // A tag the completion ends (`<nav` + ` class="top">`) is one it wrote.
  if (TAG_LANGUAGES.has(ctx.languageId)) return code.endsWith('>') && opensTag((atCursor ? ctx.before : '') + code);
  return false;
}

/** The line's last tag opens an element it does not close (`<div class="a">`, not `<br>` or `<b>x</b>`). */
function opensTag(code: string): boolean {
  const tags = [...code.matchAll(/<(\/?)([A-Za-z][\w.:-]*)\b[^<>]*?(\/?)>/g)];
  const last = tags[tags.length - 1];
  if (!last || !code.endsWith(last[0]) || last[1] === '/' || last[3] === '/') return false;
  return !VOID_TAGS.has(last[2].toLowerCase());
}
