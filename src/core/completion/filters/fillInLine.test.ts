import { describeFilter } from './cursorCase';
import { fillInLine } from './fillInLine';

describeFilter('fillInLine', fillInLine, [
  // The first copy of the whole rest goes, and what follows it.
  ['print(├"error", file=sys.stderr)┤, file=sys.stderr)', '"error"', 'python'],
  ['print(├"error", file=sys.stderr) # x┤, file=sys.stderr)', '"error"', 'python'],
  // A trailing copy of the rest's start, at a word boundary.
  ['value = ├line.strip┤.strip()', 'line', 'python'],
  ['  padding: ├12px┤px;', '12', 'css'],
  // Too short to be a copy (and mid-word): kept.
  ['x = ├ab┤abc + 1', 'ab', 'python'],
  // A closer of the cursor's bracket that the rest closes itself: cut before it.
  ['print(├"error")┤, file=sys.stderr)', '"error"', 'python'],
  ['check(├a[0]), b┤, "m")', 'a[0]', 'javascript'],
  // A bracket of its own left open: it does not fit.
  ['x = ├compute(┤ + 1', undefined, 'python'],
  // One line only.
  ['x = ├a\nb┤ + 1', 'a', 'python'],
  // Only closers after the cursor: replaceClosers' case, untouched.
  ['print(├a)┤)', 'a)', 'python'],
]);
