// Ghost text that ends in spaces or blank lines leaves them in the document after Tab; the
// user will type their own next newline. Spaces at the ends of its lines go too. Except one: a
// one-line completion inserted before other text (`else n ├* ┤helper (n - 1)`) keeps the
// space that separates it from that text.
import { currentLine } from '../../snapshot';
import type { Filter } from './types';

export const trimTrailingWhitespace: Filter = (completion, snapshot) => {
  const trimmed = completion.replace(/[ \t]+$/gmu, '').replace(/\s+$/u, '');
  const after = currentLine(snapshot).after;
  const separates = !completion.includes('\n') && / $/.test(completion) && /^[^\s,;:.)\]}>]/u.test(after) && trimmed.length > 0;
  return separates ? `${trimmed} ` : trimmed;
};
