import { describeFilter } from './cursorCase';
import { stopAtDedent } from './stopAtDedent';

describeFilter('stopAtDedent', stopAtDedent, [
  ['def f(n):├\n    a = n\n    return a\nprint(f(1))┤', '\n    a = n\n    return a', 'python'],
  // On an indented empty line the block is at the cursor's level.
  ['def f(n):\n    ├a = n\n    return a\ndef g():┤', 'a = n\n    return a', 'python'],
  // The closing brace at the header's level ends the block and belongs to it.
  ['void f() {├\n  g();\n}\nvoid h() {}┤', '\n  g();\n}', 'java'],
  ['key:├\n  a: 1\n  b: 2\nother: 3┤', '\n  a: 1\n  b: 2', 'yaml'],
  // Deeper lines are the block's own.
  ['if x:├\n    for y in x:\n        print(y)\n    done()┤', '\n    for y in x:\n        print(y)\n    done()', 'python'],
  // A single line after a newline (single-line mode at a line's end) has nothing after it.
  ['    return x├\nprint(x)┤', '\nprint(x)', 'python'],
]);
