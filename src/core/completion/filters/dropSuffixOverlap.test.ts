import { describeFilter } from './cursorCase';
import { dropSuffixOverlap } from './dropSuffixOverlap';

describeFilter('dropSuffixOverlap', dropSuffixOverlap, [
  // The completion's tail is the suffix's first lines: cut it.
  ['def f(x):\n    y = x + 1├\n    z = y * 2\n    return z┤\n    z = y * 2\n    return z\n', '', 'python'],
  ['def f(x):\n    y = x + 1├\n    w = 3\n    z = y * 2\n    return z┤\n    z = y * 2\n    return z\n', '\n    w = 3', 'python'],
  // Repetition that starts and goes on: cut where it starts.
  ['a = 1├\nb = 2\nc = 3\nd = 4┤\nb = 2\nx = 9\n', '', 'python'],
  ['function f() {\n  ├return 1;┤\n  return 1;\n}', '', 'javascript'],
  // The defect: `)` of len(x) is the completion's own; the cursor's line is not this filter's.
  ['print(├len(x)┤)', 'len(x)', 'python'],
  // A closer that closes the completion's own block is not the suffix's closer.
  ['function f() {\n  ├if (a) {\n    b();\n  }┤\n}', 'if (a) {\n    b();\n  }', 'javascript'],
  // The suffix's closer, repeated by the completion: cut.
  ['function f() {├\n  return 1;\n}┤\n}', '\n  return 1;', 'javascript'],
  // Only a lone closer matches and the completion goes on: not a repetition.
  ['if (a) {\n  ├x();\n}\nfoo();┤\n}\nbar();', 'x();\n}\nfoo();', 'javascript'],
  // Blank lines at the start of the suffix are skipped.
  ['x = 1├\ny = 2┤\n\n\ny = 2\n', '', 'python'],
  ['├a┤\nb', 'a'],
]);
