import { repeatedLinesStop } from './repeatedLines';
import { describeStop } from './stopCase';

describeStop('repeatedLines: a line or a block said twice in a row', repeatedLinesStop, [
  ['import os\n├import sys\nimport sys\nimport sys\n┤', 'import sys', 'python'],
  // The cursor's whole line counts as the first.
  ['x = 1├\nx = 1\n┤', '', 'python'],
  ['├a = 1\nb = 2\na = 1\nb = 2\nc┤', 'a = 1\nb = 2', 'python'],
  // Blank lines repeated are not a repetition.
  ['├a\n\n\nb\n┤', undefined, 'python'],
  // A repeat on the line still being decoded is not known yet.
  ['├x = 1\nx = 1┤', undefined, 'python'],
]);
