import { strict as assert } from 'node:assert';
import { parseCursorCase } from './cursorCase';
import { trimIncompleteCharacter } from './trimIncompleteCharacter';

describe('filter trimIncompleteCharacter', () => {
  const cases: [string, string | undefined][] = [
    ['say(├"caf\uFFFD┤)', '"caf'],
    ['x = ├"☃ snow"┤', '"☃ snow"'],
    ['├\uFFFD\uFFFD┤', ''],
  ];
  for (const [doc, expected] of cases) {
    it(JSON.stringify(doc), () => {
      const { snapshot, completion } = parseCursorCase(doc);
      assert.equal(trimIncompleteCharacter(completion, snapshot), expected);
    });
  }
});
