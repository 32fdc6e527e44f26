import { describeFilter } from './cursorCase';
import { stopAtBlockEnd } from './stopAtBlockEnd';

describeFilter('stopAtBlockEnd', stopAtBlockEnd, [
  ['function f() {├\n  return 1;\n}\nfunction g() {\n  return 2;┤', '\n  return 1;\n}', 'javascript'],
  ['foo(a,\n    ├b)\nbar()┤', 'b)', 'python'],
  ['items.forEach((x) => {├\n  use(x);\n});\nnext();┤', '\n  use(x);\n});', 'typescript'],
  // Brackets the completion opens and closes itself are not the cursor's block.
  ['fn main() {\n    ├if a {\n        b();\n    }\n    c();┤', 'if a {\n        b();\n    }\n    c();', 'rust'],
  // Brackets in strings and comments do not count.
  ['def f():\n    ├s = ")"  # )\n    return s\nx = 1┤', 's = ")"  # )\n    return s\nx = 1', 'python'],
  ['int f() {\n  ├char c = \'}\'; /* } */ // }\n  return c;\n}\nint g;┤', "char c = '}'; /* } */ // }\n  return c;\n}", 'c'],
  ['x = {├\n  "a": "}",\n  "b": 2\n}\ny = 1┤', '\n  "a": "}",\n  "b": 2\n}', 'json'],
  // The open docstring closes: the block is the docstring.
  ['def f():\n    """├Sum.\n    """\n    return 1┤', 'Sum.\n    """', 'python'],
  // One line: nothing to cut.
  ['print(├x) + 1┤', 'x) + 1', 'python'],
]);
