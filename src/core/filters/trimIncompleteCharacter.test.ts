import { describeFilter } from './cursorCase';
import { trimIncompleteCharacter } from './trimIncompleteCharacter';

describeFilter('trimIncompleteCharacter', trimIncompleteCharacter, [
  ['say(├"caf\uFFFD┤)', '"caf'],
  ['x = ├"☃ snow"┤', '"☃ snow"'],
  ['├\uFFFD\uFFFD┤', ''],
]);
