// Ghost text that ends in spaces or blank lines leaves them in the document after Tab; the
// user will type their own next newline.
import type { Filter } from './types';

export const trimTrailingWhitespace: Filter = (completion) => completion.replace(/\s+$/u, '');
