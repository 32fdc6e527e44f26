// A UTF-8 character whose bytes the tokens did not complete decodes as U+FFFD: at the end when
// generation stopped inside it, and in the middle when a later token did not continue it. That
// replacement character is noise, not text: the suggestion ends before the first one.
import type { Filter } from './types';

export const trimIncompleteCharacter: Filter = (completion) => {
  const bad = completion.indexOf('\uFFFD');
  return bad < 0 ? completion : completion.slice(0, bad);
};
