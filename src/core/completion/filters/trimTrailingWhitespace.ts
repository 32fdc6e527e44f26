// Ghost text that ends in spaces or blank lines leaves them in the document after Tab; the
// user will type their own next newline. Spaces at the ends of its lines go too.
import type { Filter } from './types';

export const trimTrailingWhitespace: Filter = (completion) => completion.replace(/[ \t]+$/gmu, '').replace(/\s+$/u, '');
