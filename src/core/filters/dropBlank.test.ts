import { strict as assert } from 'node:assert';
import { parseCursorCase } from './cursorCase';
import { dropBlank } from './dropBlank';

describe('filter dropBlank', () => {
  const cases: [string, string | undefined][] = [
    ['x = ├ \n\t┤', undefined],
    ['x = ├┤', undefined],
    ['x = ├ 1┤', ' 1'],
  ];
  for (const [doc, expected] of cases) {
    it(JSON.stringify(doc), () => {
      const { snapshot, completion } = parseCursorCase(doc);
      assert.equal(dropBlank(completion, snapshot), expected);
    });
  }
});
