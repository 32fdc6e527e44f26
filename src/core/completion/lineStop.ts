// Where a newline policy ends a text: shared by the stopping criterion during decoding, by the
// post-processing (src/core/completion/suggestion.ts) and by the typed-ahead path, which all apply the same
// rule to what was decoded.
import type { NewlinePolicy } from '../protocol';

export interface LineStopContext {
  /**
   * The cursor has text after it on its line: a line break there would split the user's line, so
   * even a leading newline ends a single-line text. Without context (the decoder) a leading
   * newline may continue onto the next line, and post-processing, which knows the line, cuts it.
   */
  readonly midLine?: boolean;
}

/** The index where `policy` cuts `text`, or undefined when the text may go on. */
export function newlineCut(text: string, policy: NewlinePolicy, context: LineStopContext = {}): number | undefined {
  return newlineStopAt(text, policy, context)?.cutAt;
}

/** Where `policy` cuts `text`, and how much of it that took to see (the line break that decided, included). */
export function newlineStopAt(text: string, policy: NewlinePolicy, context: LineStopContext = {}): { cutAt: number; seenAt: number } | undefined {
  if (policy === 'none') return undefined;
  if (policy === 'singleLine') {
    // At the end of a line an output that starts with a line break continues on the next line:
    // one leading line break (after optional spaces) is kept, the next one ends the text.
    const lead = context.midLine ? 0 : (/^[ \t]*\r?\n/.exec(text)?.[0].length ?? 0);
    const nl = /\r?\n/.exec(text.slice(lead));
    return nl ? { cutAt: lead + nl.index, seenAt: lead + nl.index + nl[0].length } : undefined;
  }
  const content = text.search(/\S/);
  if (content < 0) return undefined;
  const blank = /\r?\n[ \t]*\r?\n/.exec(text.slice(content));
  return blank ? { cutAt: content + blank.index, seenAt: content + blank.index + blank[0].length } : undefined;
}
