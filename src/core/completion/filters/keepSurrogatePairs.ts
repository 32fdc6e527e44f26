// Never split a surrogate pair: a lone half of an astral character (an emoji, say) would show as
// a broken glyph and be inserted as invalid UTF-16. The suggestion ends before the first lone half.
import type { Filter } from './types';

export const keepSurrogatePairs: Filter = (completion) => {
  for (let i = 0; i < completion.length; i++) {
    const c = completion.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = completion.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return completion.slice(0, i);
    }
    if (c >= 0xdc00 && c <= 0xdfff) return completion.slice(0, i);
  }
  return completion;
};
