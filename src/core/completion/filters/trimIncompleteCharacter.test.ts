import { describeFilter } from './cursorCase';
import { trimIncompleteCharacter } from './trimIncompleteCharacter';

describeFilter('trimIncompleteCharacter', trimIncompleteCharacter, [
  ['say(├"caf\uFFFD┤)', '"caf'],
  ['x = ├"☃ snow"┤', '"☃ snow"'],
  ['├\uFFFD\uFFFD┤', ''],
  // In the middle too: what follows an undecodable byte is cut with it.
  ['print(├"h\uFFFD\uFFFDllo")┤', '"h'],
  ['# ├日本\uFFFD語┤', '日本'],
]);
