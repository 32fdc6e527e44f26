import { describeFilter } from './cursorCase';
import { dropRepeatedLines } from './dropRepeatedLines';

describeFilter('dropRepeatedLines', dropRepeatedLines, [
  ['def f():\n    ├x = 1\n    x = 1\n    x = 1┤', 'x = 1'],
  ['├import os\nimport sys\nimport sys┤', 'import os\nimport sys'],
  // A block of two lines said twice.
  ['├a = f()\nb = g(a)\na = f()\nb = g(a)\nc┤', 'a = f()\nb = g(a)'],
  // The cursor's line, completed, is the first line.
  ['x = 1├\nx = 1┤', ''],
  ['print(├"a")\nprint("a")┤', '"a")'],
  // Different indentation is a different line; blank lines are not repeats.
  ['├    }\n}┤', '    }\n}'],
  ['├a\n\n\nb┤', 'a\n\n\nb'],
  ['├x += 1\ny += 1\nz += 1┤', 'x += 1\ny += 1\nz += 1'],
]);
