import { closedBySuffixStop } from './closedBySuffix';
import { describeStop } from './stopCase';

describeStop('closedBySuffix: no closer the suffix already has', closedBySuffixStop, [
  // The `}` below closes the block: the completion ends just before writing another.
  ['function f() {├\n  return 1;\n}\nmore┤\n}', '\n  return 1;\n', 'javascript'],
  ['config = {├\n    "debug": True,\n}┤\n}', '\n    "debug": True,\n', 'python'],
  ['call(├\n  a,\n  b)┤\n)', '\n  a,\n  b', 'javascript'],
  // The suffix closes the outer block only: the completion may close the inner one, not both.
  ['class A {\n    void f() {├\n        g();\n    }\n}┤\n}', '\n        g();\n    }\n', 'java'],
  // Brackets the completion opened are its own to close.
  ['function f() {├\n  if (x) { y(); }\n┤\n}', undefined, 'javascript'],
  // Nothing below closes it: the completion closes it (blockEnd ends the block there).
  ['function f() {├\n  return 1;\n}┤', undefined, 'javascript'],
  // Closers later on the cursor's line are replaced instead (replaceClosers).
  ['print(├x)┤)', undefined, 'python'],
]);

describeStop('closedBySuffix: a closer below that skips open brackets closes only its own', closedBySuffixStop, [
  // The `}` below closes the function, not the call or the string: the completion closes those.
  ['function greet() {\n  console.log("Hi, ├there!");\n}┤\n}', 'there!");\n', 'javascript'],
]);
