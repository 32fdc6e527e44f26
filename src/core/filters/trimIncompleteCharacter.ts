// A completion cut at max tokens can end inside a multi-byte UTF-8 character, which byte-level
// BPE decodes as U+FFFD: that half character is noise, not text.
import type { Filter } from './types';

export const trimIncompleteCharacter: Filter = (completion) => completion.replace(/\uFFFD+$/u, '');
