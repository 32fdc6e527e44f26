import { describeFilter } from './cursorCase';
import { trimControlCharacter } from './trimControlCharacter';

describeFilter('trimControlCharacter', trimControlCharacter, [
  ['x = ├chip burn\u001c more┤', 'chip burn'],
  ['├\u0000abc┤', ''],
  ['s = ├"a\u007fb"┤', '"a'],
  // Tabs, line breaks and text beyond ASCII stay.
  ['def f():├\n\treturn "☃ é"\r\n┤', '\n\treturn "☃ é"\r\n'],
]);
