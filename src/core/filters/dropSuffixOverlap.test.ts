import { describeFilter } from './cursorCase';
import { dropSuffixOverlap } from './dropSuffixOverlap';

describeFilter('dropSuffixOverlap', dropSuffixOverlap, [
  // The closing bracket is already there: do not insert a second one.
  ['print(├a, b)┤)', 'a, b'],
  ['call(├x);┤);\nnext()', 'x'],
  // Nothing after the cursor on this line: unchanged.
  ['print(├a, b)┤\n)', 'a, b)'],
  // Multi-line completions are left alone; the suffix line is not theirs to repeat.
  ['f(├a,\n  b)┤)', 'a,\n  b)'],
  ['if (├x > 1┤) {', 'x > 1'],
]);
