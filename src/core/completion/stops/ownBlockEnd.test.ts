import { ownBlockEndStop } from './ownBlockEnd';
import { describeStop } from './stopCase';

describeStop('ownBlockEnd: a block the completion opened ends where it balances', (ctx) => ownBlockEndStop({ ...ctx, followBlock: true }, 'singleLine'), [
  ['const obj = ├{\n  a: 1,\n};\nfoo();\n┤', '{\n  a: 1,\n};', 'javascript'],
  // `} else {` reopens: the block goes on to its last brace.
  ['if (a)├ {\n  b();\n} else {\n  c();\n}\nd();\n┤', ' {\n  b();\n} else {\n  c();\n}', 'javascript'],
  // Without brackets: before the first line not indented deeper than the header.
  ['for x in xs├:\n    a(x)\nb()\n┤', ':\n    a(x)', 'python'],
  ['for x in xs├:\n    if x:\n        a()\n    else:\n        b()\nc()\n┤', ':\n    if x:\n        a()\n    else:\n        b()', 'python'],
  // A closing line at the header's indentation is kept.
  ['items.each├ do |i|\n  puts i\nend\nputs 1\n┤', ' do |i|\n  puts i\nend', 'ruby'],
  // After a leading line break the header is the next line.
  ['x = 1├\nif x:\n    y()\nz()\n┤', '\nif x:\n    y()', 'python'],
  // A first line that opens nothing: not a block of its own (the newline stop ends it).
  ['x = ├compute(1)\ny = 2\n┤', undefined, 'python'],
]);

describeStop('ownBlockEnd: a statement after a header on the cursor\'s line is the body', (ctx) => ownBlockEndStop(ctx, 'multiLine'), [
  ['if (x) ├return 1;\nfoo();\n┤', 'return 1;', 'typescript'],
  ['if x: ├return 1\nfoo()\n┤', 'return 1', 'python'],
  // A closing line at the cursor line's indentation ends it, kept.
  ['x = [├1, 2,\n    3,\n]\ny = 1\n┤', '1, 2,\n    3,\n]', 'python'],
  // On an empty line, or inside a string, it does not apply.
  ['  ├a();\n  b();\n┤', undefined, 'javascript'],
  ['s = """├a\nb\n┤', undefined, 'python'],
]);
