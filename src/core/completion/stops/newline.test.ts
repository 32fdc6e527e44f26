import { newlineStop } from './newline';
import { describeStop } from './stopCase';

describeStop('newline: single line', () => newlineStop('singleLine'), [
  ['├foo(1)\n  bar┤', 'foo(1)'],
  // At the end of a line a leading line break continues on the next line.
  ['x├\n  y\nz┤', '\n  y'],
  ['x├\r\n  y\r\nz┤', '\r\n  y'],
]);

describeStop('newline: single line, mid-line', () => newlineStop('singleLine', true), [['f(├\n  x┤)', '']]);

describeStop('newline: a block ends at a blank line', () => newlineStop('multiLine'), [
  ['def f():├\n    return 1\n\ndef g()┤', '\n    return 1'],
  ['├\n\n  x\n\n┤', '\n\n  x'],
]);
