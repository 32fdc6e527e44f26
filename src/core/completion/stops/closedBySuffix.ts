// Do not emit a closing bracket the completion did not open when the suffix already closes it:
// at the end of a line, the lines below close some of what is open at the cursor (brackets, a
// string, a block comment). Those are taken to be the outer ones (the code around the cursor is
// whole; what the user is writing is the inner block), so the completion may close the inner
// ones the suffix leaves open and ends just before a closer that would close one more. (A
// closer later on the cursor's own line is replaced instead, src/core/completion/filters/replaceClosers.ts:
// the completion may rewrite that rest of the line.) It fires on the closing character itself,
// not at the line's end: the line being decoded is scanned from its start at each step.
import { scanCode } from '../codeScan';
import { LineReader } from '../lines';
import type { RequestContext } from '../requestContext';
import { never, type TextStop } from './types';

/**
 * How many of the things open at the cursor the text after it closes, within the lines the
 * context has. A closer that matches an outer bracket closes that one only: the brackets inside
 * it it skips over (`console.log("Hi, ├` above a `}`) are left to the completion.
 */
export function closedBySuffix(ctx: RequestContext): number {
  return new Set(scanCode(`${ctx.after}\n${ctx.nextLines.join('\n')}`, ctx.languageId, ctx.state).pops).size;
}

/** How many things are open at the cursor: brackets, a string, a block comment. */
export function openAtCursor(ctx: RequestContext): number {
  return ctx.state.stack.length + (ctx.state.str ? 1 : 0) + (ctx.state.comment === 'block' ? 1 : 0);
}

export function closedBySuffixStop(ctx: RequestContext): TextStop {
  const closed = closedBySuffix(ctx);
  if (ctx.after.trim().length > 0 || closed === 0) return never('closed-by-suffix');
  /** The completion's closers of what is open at the cursor (innermost first) that the suffix leaves to it. */
  const allowed = Math.max(0, openAtCursor(ctx) - closed);
  const reader = new LineReader(ctx);
  let seen = 0;
  const fire = (closers: readonly number[], pops: readonly number[]) => {
    const k = allowed - seen;
    seen += pops.length;
    return k < pops.length ? { cutAt: closers[k], seenAt: pops[k] } : undefined;
  };
  return {
    reason: 'closed-by-suffix',
    check(text) {
      for (const line of reader.read(text)) {
        const cut = fire(line.closers, line.pops);
        if (cut) return cut;
      }
      // The line being decoded, up to a character still incomplete (U+FFFD may become another).
      const start = reader.lineStart;
      const partial = text.slice(start).replace(/\uFFFD+$/, '');
      if (partial.length === 0) return undefined;
      const scanner = reader.scannerAtLineStart();
      const before = scanner.pops.length;
      scanner.feed(partial);
      const k = allowed - seen;
      const pops = scanner.pops.slice(before);
      return k < pops.length ? { cutAt: scanner.closers[before + k], seenAt: pops[k] } : undefined;
    },
  };
}
