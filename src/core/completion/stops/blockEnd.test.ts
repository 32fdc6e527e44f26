import { blockEndStop } from './blockEnd';
import { describeStop } from './stopCase';

describeStop('blockEnd: the brackets of the cursor\'s block balance', blockEndStop, [
  // The line that closes the cursor's block is the last; the decoder stops at its line break.
  ['function f() {├\n  return 1;\n}\nfunction g() {┤', '\n  return 1;\n}', 'javascript'],
  ['foo(├a,\n  b)\nbar()┤', 'a,\n  b)', 'javascript'],
  // Brackets the completion opens and closes itself do not end it.
  ['function f() {├\n  if (x) {\n    y();\n  }\n┤', undefined, 'javascript'],
  // Closing the string open at the cursor ends it too.
  ['x = """├doc\n"""\nprint(x)┤', 'doc\n"""', 'python'],
  // On the last line (no line break yet) it goes on: the line is not complete.
  ['f(├a)┤', undefined, 'javascript'],
]);

describeStop('blockEnd: a first line that closes the cursor\'s bracket, then opens a block of its own where one may follow', (ctx) => blockEndStop({ ...ctx, followBlock: true }), [
  // The header's body comes next (ownBlockEnd ends it): not cut at the first line.
  ['function sum(a:├ number): number {\n  return a;\n}\n┤)', undefined, 'typescript'],
  // A line that closes and opens nothing ends the block as before.
  ['foo(├a, b)\nbar()\n┤)', 'a, b)', 'javascript'],
]);
