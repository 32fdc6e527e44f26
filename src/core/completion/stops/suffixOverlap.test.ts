import { describeStop } from './stopCase';
import { suffixOverlapStop } from './suffixOverlap';

describeStop('suffixOverlap: the text starts to reproduce the suffix', suffixOverlapStop, [
  // It stops as the repeated line's break arrives, before the repetition.
  ['a = 1├\nb = 2\nc = 3\n┤\nb = 2\n', '', 'python'],
  ['def f():\n    ├x = load()\n    return x\n┤\n    return x\n', 'x = load()', 'python'],
  // Several lines: the cut is where the run starts.
  ['├x = 1\ny = compute()\nz = more()\n┤\ny = compute()\nz = more()', 'x = 1', 'python'],
  // A lone closer may be followed by something else: not a repetition yet.
  ['if (a) {\n  ├b();\n}\n┤\n}\nelse {}', undefined, 'javascript'],
  // A run of the completion's own block: cutting would leave its `{` open.
  ['├if (a) {\n  foo();\n}\n┤\n  foo();\n}', undefined, 'javascript'],
  // Text after the cursor on its line: closers there are replaced, not cut here.
  ['f(├a)\nb = 2\n┤)\nb = 2', undefined, 'python'],
]);
