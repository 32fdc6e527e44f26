import { scenario as s } from './scenario';

export const SQL = [
  s('a clause completes the line', 'sql', 'SELECT name├, email FROM users\nWHERE id = 1┤', ', email FROM users'),
  s('function call closer replaced', 'sql', 'SELECT COUNT(├*)┤)', '*)', { replace: 1 }),
  s('CREATE TABLE column list is a block ending at its paren', 'sql', 'CREATE TABLE users (├\n  id INTEGER PRIMARY KEY,\n  name TEXT\n);\nSELECT 1;┤', '\n  id INTEGER PRIMARY KEY,\n  name TEXT\n);'),
  s('string literal: the closing quote replaced, the semicolon after it', 'sql', "SELECT * FROM users WHERE name = '├alice';┤'", "alice';", { replace: 1 }),
  s('-- comment: one line', 'sql', '-- list users:├ all of them\nSELECT┤', ' all of them'),
];

export const YAML = [
  s('mapping header is a block, ended by the dedent', 'yaml', 'jobs:\n  build:├\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n  test:\n    x: 1┤', '\n    runs-on: ubuntu-latest\n    steps:\n      - run: make'),
  s('block scalar is a block', 'yaml', 'script: |├\n  npm ci\n  npm test┤', '\n  npm ci\n  npm test'),
  s('key with its space typed: the value on this line', 'yaml', 'name: ├CI pipeline\nother: 1┤', 'CI pipeline'),
  s('an apostrophe in a plain scalar is not a quote', 'yaml', "description: it's fine\nsteps:├\n  - run: echo hi┤", '\n  - run: echo hi'),
  s('tabs from the model become the two spaces of YAML', 'yaml', 'a:\n  b: 1\nc:├\n\td: 2┤', '\n  d: 2'),
  s('quoted value: the closing quote replaced', 'yaml', 'name: "├build"┤"', 'build"', { replace: 1 }),
];

export const GENERAL = [
  s('only whitespace after the cursor: not mid-line', 'python', 'x = 1├ + 2┤   ', ' + 2'),
  s('single-line mode never goes past the first line', 'python', 'def f():├\n    a = 1\n    b = 2┤', '\n    a = 1', { mode: 'single' }),
  s('forced multi-line is still gated mid-word', 'javascript', 'foo(├x┤bar)', null, { mode: 'multi', fim: false }),
  s('forced multi-line in the middle of a call keeps to its closer', 'python', 'foo(├a,\n    b)\nbar()┤)', 'a,\n    b)', { mode: 'multi', replace: 1 }),
  s('mid-line: a leading newline would split the line, so nothing', 'javascript', 'foo(├\n  a┤)', null),
  s('CRLF with closers after the cursor', 'python', 'print(├a, b)┤)\r\nnext()\r\n', 'a, b)', { replace: 1 }),
  s('CJK string: the closing quote replaced', 'python', 's = "├你好"┤"', '你好"', { replace: 1 }),
  s('an output that is only whitespace shows nothing', 'python', 'x = ├  \n  ┤', null),
  s('U+FFFD in the middle: cut before it', 'python', 'name = "├caf\uFFFD\uFFFD"┤"', 'caf'),
  s('two newlines at a line end: a blank line, nothing to show', 'python', 'x = 1├\n\ny = 2┤', null),
  s('emoji pair split by the decoder: cut before the lone half', 'javascript', 'const s = "├ok \uD83D\uDE00\uD83D┤";', 'ok 😀'),
  s('plain text: prose completes the line', 'plaintext', 'Dear team,\nThe release├ is ready.\nThanks┤', ' is ready.'),
];
