import { describeRangeFilter } from './cursorCase';
import { replaceClosers } from './replaceClosers';

const r = (text: string, replaceSuffixChars: number) => ({ text, replaceSuffixChars });

describeRangeFilter('replaceClosers', replaceClosers, [
  ['print(├a, b)┤)', r('a, b)', 1), 'python'],
  ['call(├x);┤);\nnext()', r('x);', 2), 'javascript'],
  // The defect: the completion's `)` is its own; nothing after the cursor is replaced.
  ['print(├len(x)┤)', r('len(x)', 0), 'python'],
  ['print(├len(x))┤)', r('len(x))', 1), 'python'],
  // Part of the rest: the closers it re-emits, from the cursor on.
  ['foo(bar(├x)┤))', r('x)', 1), 'javascript'],
  ['Math.max(0, Math.min(├a, b)┤);', r('a, b)', 1), 'javascript'],
  ['Math.max(0, Math.min(├a, b));┤));', r('a, b));', 3), 'javascript'],
  // Punctuation written after the closer stays after it.
  ['print(├x);┤)', r('x);', 1), 'javascript'],
  ['foo(a)├;┤;', r(';', 1), 'c'],
  // Quotes: the completion closes the string the cursor is in.
  ['x = "├hello"┤"', r('hello"', 1), 'python'],
  ['f("├a", "b")┤")', r('a", "b")', 2), 'python'],
  ['d["├key"]┤"]', r('key"]', 2), 'python'],
  ['d["├key"┤"]', r('key"', 1), 'python'],
  ['  "name": "├ghostwriter",┤"', r('ghostwriter",', 1), 'json'],
  // A quote that opens a string of the completion's own is a different quote.
  ['x = ├"abc┤"', r('"abc', 0), 'python'],
  ['x = ├"abc"┤"', r('"abc"', 1), 'python'],
  ['if (├x > 1) {┤) {', r('x > 1) {', 3), 'javascript'],
  ['if (├x > 1)┤) {', r('x > 1)', 1), 'javascript'],
  // A block between braces replaces the auto-inserted closer.
  ['function f() {├\n  return 1;\n}┤}', r('\n  return 1;\n}', 1), 'javascript'],
  // A block that does not close them: the closers go on their own line below it.
  ['function f() {├\n  return 1;┤}', r('\n  return 1;\n', 0), 'javascript'],
  ['    foo(├\n        a,\n        b┤)', r('\n        a,\n        b\n    ', 0), 'python'],
  // Nothing re-emitted, nothing after the cursor, or not closers after it.
  ['print(├a, b┤)', r('a, b', 0), 'python'],
  ['x = ├1┤', r('1', 0), 'python'],
  ['x = ├1┤ + y', r('1', 0), 'python'],
]);

describeRangeFilter('replaceClosers: the rest of the line and a block', replaceClosers, [
  // The first line closes the call, then goes another way than the rest: cut after the closer.
  ['foo(├a, b) {\n  return a;\n}┤);', r('a, b)', 1), 'javascript'],
  ['foo(├a, b) + 1┤);', r('a, b)', 1), 'javascript'],
  // The block's last line re-emits the rest: replaced.
  ['describe("x", ├() => {\n  it("y");\n});┤);', r('() => {\n  it("y");\n});', 2), 'javascript'],
  // A block that writes none of the rest, its last line closing its own block: the rest goes on after it.
  ['items.forEach(├(x) => {\n  use(x);\n}┤)', r('(x) => {\n  use(x);\n}', 0), 'javascript'],
  // A deeper closing line is inside the cursor's block: the closer still goes below it.
  ['function f() {├\n  if (a) {\n    b();\n  }┤}', r('\n  if (a) {\n    b();\n  }\n', 0), 'javascript'],
  // Tags are closers.
  ['<span>├Hi</span>┤</span>', r('Hi</span>', 7), 'html'],
]);
