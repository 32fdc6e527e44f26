// Where a newline policy ends a text: shared by the stopping criterion during decoding and by
// the typed-ahead path, which applies the same rule to what was decoded earlier.
import type { NewlinePolicy } from './protocol';

/** The index where `policy` cuts `text`, or undefined when the text may go on. */
export function newlineCut(text: string, policy: NewlinePolicy): number | undefined {
  if (policy === 'none') return undefined;
  if (policy === 'singleLine') {
    // Even a leading newline ends it: accepting a line break mid-line would split the user's line.
    const nl = text.search(/\r?\n/);
    return nl < 0 ? undefined : nl;
  }
  const content = text.search(/\S/);
  if (content < 0) return undefined;
  const blank = /\r?\n[ \t]*\r?\n/.exec(text.slice(content));
  return blank ? content + blank.index : undefined;
}
