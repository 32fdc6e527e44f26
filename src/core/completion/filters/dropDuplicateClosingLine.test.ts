import { describeFilter } from './cursorCase';
import { dropDuplicateClosingLine } from './dropDuplicateClosingLine';

describeFilter('dropDuplicateClosingLine', dropDuplicateClosingLine, [
  ['function f() {├\n  return 1;\n}┤\n}', '\n  return 1;', 'javascript'],
  ['items.map((x) => {├\n  return x;\n});┤\n});', '\n  return x;', 'javascript'],
  ['int main() {\n  ├return 0;\n}┤\n}', 'return 0;', 'c'],
  ['[\n  1\n├]┤\n]', '', 'json'],
  // Indentation tells closers apart: `\t}` closes the `if`, the `}` below closes the function.
  ['func f() error {\n\tif err != nil {├\n\t\treturn err\n\t}┤\n}', '\n\t\treturn err\n\t}', 'go'],
  ['{\n  ├}┤\n}', '}', 'json'],
  // Its own block's closer: kept.
  ['void f() {\n  ├if (a) {\n    b();\n  }┤\n}', 'if (a) {\n    b();\n  }', 'java'],
  // A different closer, or none below: kept.
  ['f(├\n  a\n)┤\n]', '\n  a\n)', 'javascript'],
  ['function f() {├\n  return 1;\n}┤', '\n  return 1;\n}', 'javascript'],
]);
