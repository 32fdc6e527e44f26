import { dedentStop } from './dedent';
import { describeStop } from './stopCase';

describeStop('dedent: indentation returns above the block', dedentStop, [
  ['def f(n):├\n    a = n\n    return a\nprint(f(1))\n┤', '\n    a = n\n    return a', 'python'],
  // On an indented empty line the block is at the cursor's level.
  ['def f(n):\n    ├a = n\n    return a\ndef g():\n┤', 'a = n\n    return a', 'python'],
  // A dedented closing line is the block's last.
  ['void f() {├\n  g();\n}\nvoid h() {}\n┤', '\n  g();\n}', 'java'],
  // Deeper lines belong to the block.
  ['if x:├\n    for y in x:\n        print(y)\n    done()\n┤', undefined, 'python'],
  // Lines inside a multi-line string are text.
  ['def f():├\n    s = """\nno indent\n"""\n    return s\n┤', undefined, 'python'],
  // The dedented line is known only at its line break (a closer may still come on it).
  ['if x:\n    ├a()\nelse:┤', undefined, 'python'],
]);
