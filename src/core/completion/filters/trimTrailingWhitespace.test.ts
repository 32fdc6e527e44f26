import { describeFilter } from './cursorCase';
import { trimTrailingWhitespace } from './trimTrailingWhitespace';

describeFilter('trimTrailingWhitespace', trimTrailingWhitespace, [
  ['def f(n):├\n    return n  \n\n┤', '\n    return n'],
  ['let a = ├1;┤', '1;'],
  ['├   ┤', ''],
  ['if (a) {├  \n  b(); \t\n}┤', '\n  b();\n}'],
]);

describeFilter('trimTrailingWhitespace: the space before the rest of the line', trimTrailingWhitespace, [
  ['else n ├* ┤helper (n - 1)', '* ', 'haskell'],
  ['<Button ├disabled ┤/>', 'disabled ', 'typescriptreact'],
  // Before punctuation or a closer, or at a line end, it goes.
  ['print(├a ┤, b)', 'a', 'python'],
  ['x = ├1  ┤', '1', 'python'],
  ['f(├a \n  b ┤) + c', 'a\n  b', 'javascript'],
]);
