import { describeFilter } from './cursorCase';
import { normalizeIndentation } from './normalizeIndentation';

describeFilter('normalizeIndentation', normalizeIndentation, [
  // A tab-indented file gets tabs, whatever width of spaces the model used.
  ['func main() {\n\tx := 1\n\tif x > 0 {├\n        y()\n    }┤\n\t}\n}', '\n\t\ty()\n\t}', 'go'],
  ['int f() {\n\treturn 1;\n}\nint g() {├\n  return 2;┤\n}', '\n\treturn 2;', 'c'],
  // A 2-space file: tabs become two spaces each, and a 4-space step becomes 2.
  ['function f() {\n  if (a) {\n    b();\n  }\n}\nfunction g() {├\n\treturn 1;┤\n}', '\n  return 1;', 'javascript'],
  ['class A:\n    def f(self):\n        pass\n    def g(self):├\n      x = 1\n      if x:\n        y()┤', '\n        x = 1\n        if x:\n            y()', 'python'],
  // Already the document's style: unchanged.
  ['def f():\n    a = 1\n    if a:├\n        b()┤', '\n        b()', 'python'],
  // A multiple of the unit is a deeper level or a hanging indent: kept.
  ['x = 1\ndef f():\n    return g(├a,\n            b)┤', 'a,\n            b)', 'python'],
  // The first line continues the cursor's line: its spaces are not indentation.
  ['\tx := ├  1┤', '  1', 'go'],
  // No indentation to learn from and no language default: unchanged.
  ['├a\n   b┤', 'a\n   b'],
]);
