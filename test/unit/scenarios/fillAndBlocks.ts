// Suggestions shaped like the best completers' (issue 11): fill in the line with a FIM model, the
// block follows the line the model opens, where that block ends, and what it replaces of the
// rest of the line. `fim: false` is a model that cannot see the text after the cursor (GPT-2,
// CodeGen); absent, the model is fill-in-the-middle, as `postprocess` takes it.
import { scenario as s } from './scenario';

const NO_FIM = { fim: false } as const;

/** Rule 1: a cursor before other text on its line. */
export const FILL_IN_LINE = [
  s('FIM: an argument before more arguments, the copy of the rest cut', 'python', 'import sys\nprint(├"error", file=sys.stderr)┤, file=sys.stderr)', '"error"'),
  s('FIM: a closer before the rest closes the call is too early: cut before it', 'python', 'import sys\nprint(├"error")┤, file=sys.stderr)', '"error"'),
  s('without FIM the model cannot see the rest: nothing', 'python', 'import sys\nprint(├"error"┤, file=sys.stderr)', null, NO_FIM),
  s('FIM: a number before its unit', 'css', '.card {\n  padding: ├12┤px;\n}', '12'),
  s('FIM: the unit written again is cut', 'css', '.card {\n  padding: ├12px;┤px;\n}', '12'),
  s('without FIM: a number before its unit gets nothing', 'css', '.card {\n  padding: ├12┤px;\n}', null, NO_FIM),
  s('FIM: the first argument before the message', 'javascript', 'check(├value > 0, "message")┤, "message")', 'value > 0'),
  s('FIM: a receiver before a method call, a trailing copy of the call cut', 'python', 'value = ├line.strip┤.strip()', 'line'),
  s('FIM: a receiver before a method call, the whole copy cut', 'python', 'value = ├line.strip()┤.strip()', 'line'),
  s('without FIM: a receiver before a method call gets nothing', 'python', 'value = ├line┤.strip()', null, NO_FIM),
  s('FIM: an operator before an operand keeps the space between them', 'haskell', 'fact n = if n == 0 then 1\n  else n ├* ┤helper (n - 1)', '* '),
  s('FIM: the type of a destructured prop, not the rest of the line again', 'typescriptreact', 'const Greeting = ({ name:├ string }) => {┤ }) => {\n  return name;\n};', ' string'),
  s('FIM: a parameter type before more parameters', 'typescript', 'function sum(a: ├number, b: number┤, b: number) {\n  return a + b;\n}', 'number'),
  s('FIM: inside a word being typed, nothing', 'python', 'result = comp├ute(x)┤ute(x)', null),
  s('FIM: a completion that only re-emits the rest shows nothing', 'go', '\tresult := compute(├x, y┤x, y)', null),
  s('FIM: a bracket left open would swallow the rest: nothing', 'python', 'result = ├compute(\n    x┤ + 1', null),
  s('FIM: an expression before an operator', 'javascript', 'const total = ├items.length┤ + extra;', 'items.length'),
  s('without FIM: an expression before an operator gets nothing', 'javascript', 'const total = ├items.length┤ + extra;', null, NO_FIM),
  s('a closing tag after the cursor is a closer: the text, the tag replaced', 'html', '<p>\n  <span>├Hello</span>┤</span>\n</p>', 'Hello</span>', { replace: 7 }),
  s('without FIM too: a closing tag is a closer', 'html', '<p>\n  <span>├Hello┤</span>\n</p>', 'Hello', NO_FIM),
  s('a self-closing tag end is a closer: attributes before it, their space kept', 'typescriptreact', 'const b = <Button ├onClick={save} ┤/>;', 'onClick={save} '),
  s('without FIM: attributes before a self-closing tag end', 'javascriptreact', 'const b = <Button ├disabled┤/>;', 'disabled', NO_FIM),
];

/** Rule 2: in `auto`, a first line that opens a block goes on into it. */
export const BLOCK_FOLLOWS = [
  s('Go: the model completes a func header and writes its body', 'go', 'package main\n\nfunc parseHeader├(b []byte) error {\n\treturn nil\n}┤\n', '(b []byte) error {\n\treturn nil\n}'),
  s('Go without FIM: the same block', 'go', 'package main\n\nfunc parseHeader├(b []byte) error {\n\treturn nil\n}┤\n', '(b []byte) error {\n\treturn nil\n}', NO_FIM),
  s('Go: a type header completed with struct and its fields', 'go', 'type Config├ struct {\n\tName string\n\tPort int\n}\n\nfunc f() {}┤', ' struct {\n\tName string\n\tPort int\n}'),
  s('CSS: a selector followed by its rule block', 'css', '.card├ {\n  padding: 8px;\n}\n.other {}┤', ' {\n  padding: 8px;\n}'),
  s('PHP: a method name completed into the method', 'php', '<?php\nclass Cart {\n    public function ├total() {\n        return 0;\n    }\n}┤\n}', 'total() {\n        return 0;\n    }'),
  s('Rust: fn completed into a function', 'rust', 'fn├ main() {\n    println!("hi");\n}┤', ' main() {\n    println!("hi");\n}'),
  s('Rust: a match in a let, its arms follow', 'rust', 'fn f(x: u8) -> u8 {\n    let v = match x├ {\n        0 => 1,\n        _ => 2,\n    };\n    v\n}┤\n}', ' {\n        0 => 1,\n        _ => 2,\n    };'),
  s('Vue: resetForm in methods becomes the method', 'vue', 'export default {\n  methods: {\n    resetForm├() {\n      this.form = {};\n    },\n  },\n};┤\n  },\n};', '() {\n      this.form = {};\n    },'),
  s('TypeScript: a getter in a class', 'typescript', 'class Stack {\n  get├ size() {\n    return this.n;\n  }\n}┤\n}', ' size() {\n    return this.n;\n  }'),
  s('TypeScript: a parameter type completed into the whole function', 'typescript', 'function sum(a:├ number, b: number): number {\n  return a + b;\n}┤)', ' number, b: number): number {\n  return a + b;\n}', { replace: 1 }),
  s('JavaScript: an object literal, not only its brace', 'javascript', 'const obj = ├{\n  a: 1,\n  b: 2,\n};\nfoo(obj);┤', '{\n  a: 1,\n  b: 2,\n};'),
  s('JavaScript without FIM: an object literal', 'javascript', 'const obj = ├{\n  a: 1,\n};\nfoo(obj);┤', '{\n  a: 1,\n};', NO_FIM),
  s('JavaScript: an arrow function with a body', 'javascript', 'const add = (a, b)├ => {\n  return a + b;\n};\nconsole.log(add(1, 2));┤', ' => {\n  return a + b;\n};'),
  s('JavaScript: an arrow without braces ends before the next statement', 'javascript', 'const double = (x)├ =>\n  x * 2;\nfoo();┤', ' =>\n  x * 2;'),
  s('Python: a for loop completed with its colon and body', 'python', 'for item in items├:\n    print(item)\nprint("done")┤', ':\n    print(item)'),
  s('Python without FIM: the same loop', 'python', 'for item in items├:\n    print(item)\nprint("done")┤', ':\n    print(item)', NO_FIM),
  s('Python: a dict literal follows its brace', 'python', 'config = ├{\n    "debug": True,\n}\nrun(config)┤', '{\n    "debug": True,\n}'),
  s('YAML: a mapping key completed with its colon and mapping', 'yaml', 'services:\n  web├:\n    image: nginx\n    ports:\n      - "80:80"\n  db:\n    image: postgres┤', ':\n    image: nginx\n    ports:\n      - "80:80"'),
  s('Ruby: a do block ends at its end', 'ruby', 'items.each├ do |item|\n  puts item\nend\nputs "done"┤', ' do |item|\n  puts item\nend'),
  s('Lua: then opens the block, end closes it', 'lua', 'if x > 0├ then\n  print(x)\nend\nprint(1)┤', ' then\n  print(x)\nend'),
  s('HTML: an opening tag the model finishes, its children and closing tag', 'html', '<body>\n  <nav├ class="top">\n    <a href="/">Home</a>\n  </nav>\n</body>┤\n</body>', ' class="top">\n    <a href="/">Home</a>\n  </nav>'),
  s('a comment stays one line, a brace in it opens nothing', 'go', 'func f() {\n\t// Parse the header├ {\n\t\tx()\n\t}┤\n}', ' {'),
  s('the body already below: only the header is completed', 'typescript', 'class A {\n  run()├ {\n    start();\n  }┤\n    go();\n  }\n}', ' {'),
  s('a mid-line callback: the block, its closer replacing the rest', 'javascript', 'items.forEach(├(x) => {\n  use(x);\n})┤)', '(x) => {\n  use(x);\n})', { replace: 1 }),
  s('singleLine mode: a line that opens a block stays one line', 'javascript', 'const obj = ├{\n  a: 1,\n};┤', '{', { mode: 'single' }),
];

/** Rule 3: where the block ends. */
export const BLOCK_ENDS = [
  s('brace-less if: the statement is the body, the next line is not', 'typescript', 'if (x) ├return 1;\nfoo();┤', 'return 1;'),
  s('Python: a statement after the colon is the body', 'python', 'if x: ├return 1\nfoo()┤', 'return 1'),
  s('} else { goes on, the block ends at its last brace', 'javascript', 'const sign = (n)├ => {\n  if (n < 0) {\n    return -1;\n  } else {\n    return 1;\n  }\n};\nfoo();┤', ' => {\n  if (n < 0) {\n    return -1;\n  } else {\n    return 1;\n  }\n};'),
  s('Python: else at the header indentation continues, the next statement ends it', 'python', 'for x in xs├:\n    if x:\n        a()\n    else:\n        b()\nc()┤', ':\n    if x:\n        a()\n    else:\n        b()'),
  s('Python: a blank line ends the followed block', 'python', 'while True├:\n    step()\n\nprint("never")┤', ':\n    step()'),
  s('a line that repeats the one below ends the block', 'javascript', 'const handlers = ├{\n  a: 1,\n};\nexport default handlers;┤\nexport default handlers;', '{\n  a: 1,\n};'),
  s('a stop sequence ends the followed block', 'python', 'import os\nfor f in files├:\n    os.remove(f)\ndef main():\n    pass┤', ':\n    os.remove(f)'),
  s('a block that writes none of the rest leaves it after its closing line', 'javascript', 'items.forEach(├(x) => {\n  use(x);\n}┤)', '(x) => {\n  use(x);\n}'),
];

/** Rule 4: replacing the rest of the line. */
export const REST_OF_LINE = [
  s('a first line that closes the call then opens a block is cut after the closer', 'javascript', 'foo(├a, b) {\n  return a;\n}┤);', 'a, b)', { replace: 1 }),
  s('without FIM: the same cut after the closer', 'javascript', 'foo(├a, b) {\n  return a;\n}┤);', 'a, b)', { replace: 1, ...NO_FIM }),
  s('a block whose last line re-emits `);` replaces it', 'javascript', 'describe("x", ├() => {\n  it("y");\n});┤);', '() => {\n  it("y");\n});', { replace: 2 }),
  s('a call closed with its semicolon inside a function keeps both', 'javascript', 'function greet() {\n  console.log("Hi, ├there!");┤\n}', 'there!");'),
  s('a Python header whose block ends with `):`', 'python', 'if all(├x > 0 for x in xs):┤):\n    pass', 'x > 0 for x in xs):', { replace: 2 }),
];

/** Members that continue below: at the end of a block's last member, the next members follow. */
export const LIST_CONTINUES = [
  s('Go: after a struct\'s last field, more fields', 'go', 'type Config struct {\n\tName string├\n\tPort int\n\tDebug bool\n}\n\nfunc main() {}┤\n}', '\n\tPort int\n\tDebug bool'),
  s('TypeScript: after an interface\'s last member, more members', 'typescript', 'interface User {\n  name: string;├\n  age: number;\n  email: string;\n}┤\n}', '\n  age: number;\n  email: string;'),
  s('Rust: after a match arm, more arms', 'rust', 'fn f(x: u8) -> u8 {\n    match x {\n        0 => 1,├\n        1 => 2,\n        _ => 3,\n    }\n}┤\n    }\n}', '\n        1 => 2,\n        _ => 3,'),
  s('JavaScript: after an object literal\'s last property, more properties', 'javascript', 'const config = {\n  port: 80,├\n  host: "localhost",\n};┤\n};', '\n  host: "localhost",'),
  s('CSS: after a rule\'s last declaration, more declarations', 'css', '.card {\n  padding: 8px;├\n  margin: 0;\n}┤\n}', '\n  margin: 0;'),
  s('YAML: after a nested mapping\'s last key, more keys', 'yaml', 'services:\n  web:\n    image: nginx├\n    ports:\n      - "80:80"\n  db:\n    image: pg┤', '\n    ports:\n      - "80:80"'),
  s('Markdown: after a heading, its section up to the blank line', 'markdown', '# Tool\n\n## Install├\n\nRun `npm install`, then\n`npm test`.\n\n## Use┤', '\n\nRun `npm install`, then\n`npm test`.'),
  s('Markdown: after a list\'s last item, more items', 'markdown', 'Steps:\n\n- install├\n- build\n- test\n\nDone.┤', '\n- build\n- test'),
  s('Markdown: prose at the end of a line stays one line', 'markdown', 'It is a tool├\nfor people.\nMore.┤', '\nfor people.'),
  s('a function body is not a list: after return, one line', 'javascript', 'function f() {\n  return x;├\n  y();\n  z();┤\n}', '\n  y();'),
];
