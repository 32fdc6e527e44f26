import { describeFilter } from './cursorCase';
import { trimLeadingSpace } from './trimLeadingSpace';

describeFilter('trimLeadingSpace', trimLeadingSpace, [
  ['x = ├ 1┤', '1'],
  ['def f():\n    ├ return 1┤', 'return 1'],
  ['\t├\tx++;┤', 'x++;'],
  // No space before the cursor: the completion's own space stays.
  ['x =├ 1┤', ' 1'],
  ['return├ x┤', ' x'],
  // Only the first line: later lines' indentation is not touched.
  ['if x: ├ \n    y┤', '\n    y'],
]);
