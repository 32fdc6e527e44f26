import { describeFilter } from './cursorCase';
import { trimTrailingWhitespace } from './trimTrailingWhitespace';

describeFilter('trimTrailingWhitespace', trimTrailingWhitespace, [
  ['def f(n):├\n    return n  \n\n┤', '\n    return n'],
  ['let a = ├1;┤', '1;'],
  ['├   ┤', ''],
  ['if (a) {├  \n  b(); \t\n}┤', '\n  b();\n}'],
]);
