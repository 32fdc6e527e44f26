// A control character (U+0000–U+001F but tab, line feed and carriage return; DEL; U+0080–U+009F)
// is no code anyone types: the editor shows it as a symbol (␜) and accepting it writes an
// invisible byte. Byte-level BPE vocabularies have a token for each, and a small or random model
// samples them. The suggestion ends before the first one.
import type { Filter } from './types';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export const trimControlCharacter: Filter = (completion) => {
  const at = completion.search(CONTROL);
  return at < 0 ? completion : completion.slice(0, at);
};
