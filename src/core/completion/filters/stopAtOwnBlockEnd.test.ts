import { describeFilter } from './cursorCase';
import { stopAtOwnBlockEnd } from './stopAtOwnBlockEnd';

describeFilter('stopAtOwnBlockEnd', stopAtOwnBlockEnd, [
  // The last line, which no line break ended, is read too.
  ['if (x) ├return 1;\nfoo();┤', 'return 1;', 'typescript'],
  ['for x in xs├:\n    a(x)\nb()┤', ':\n    a(x)', 'python'],
  ['const f = ()├ => {\n  go();\n};\nnext();┤', ' => {\n  go();\n};', 'javascript'],
  // A closing line at the header's indentation is the block's last.
  ['if ok├ then\n  run()\nend┤', ' then\n  run()\nend', 'lua'],
  // An empty line: a block there may hold several statements.
  ['  ├if (a) {\n    b();\n  }\n  c();┤', 'if (a) {\n    b();\n  }\n  c();', 'javascript'],
  // Inside a string: text.
  ['s = """├a\nb"""┤', 'a\nb"""', 'python'],
]);
