import { opensOwnBlock } from '../blockFollows';
import { newlineStop } from './newline';
import { describeStop } from './stopCase';

describeStop('newline: single line', () => newlineStop('singleLine'), [
  ['├foo(1)\n  bar┤', 'foo(1)'],
  // At the end of a line a leading line break continues on the next line.
  ['x├\n  y\nz┤', '\n  y'],
  ['x├\r\n  y\r\nz┤', '\r\n  y'],
]);

describeStop('newline: single line, mid-line', () => newlineStop('singleLine', true), [['f(├\n  x┤)', '']]);

describeStop('newline: a block ends at a blank line', () => newlineStop('multiLine'), [
  ['def f():├\n    return 1\n\ndef g()┤', '\n    return 1'],
  ['├\n\n  x\n\n┤', '\n\n  x'],
]);

describeStop('newline: a single line whose first line opens a block goes on as a block', (ctx) => newlineStop('singleLine', ctx.after.trim().length > 0, (line, atCursor) => opensOwnBlock(line, ctx, atCursor)), [
  ['func parseHeader├(b []byte) error {\n\treturn nil\n}\n\nfunc g() {}┤', '(b []byte) error {\n\treturn nil\n}', 'go'],
  ['for x in xs├:\n    print(x)\n\nprint(1)┤', ':\n    print(x)', 'python'],
  // At a line end, after one leading line break, the next line may open the block.
  ['x = 1├\nif x:\n    y()\n\nz┤', '\nif x:\n    y()', 'python'],
  // Mid-line (closers after the cursor) too.
  ['items.forEach(├(x) => {\n  use(x);\n})\n\n┤)', '(x) => {\n  use(x);\n})', 'javascript'],
  // A first line that opens nothing stays one line.
  ['x = ├compute(1)\ny = 2┤', 'compute(1)', 'python'],
  // An opener in a comment or a string opens nothing.
  ['x = 1├  # see {\n  y┤', '  # see {', 'python'],
  ['s = ├"{"\nt = 1┤', '"{"', 'python'],
]);
