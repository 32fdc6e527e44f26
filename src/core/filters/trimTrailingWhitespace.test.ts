import { strict as assert } from 'node:assert';
import { parseCursorCase } from './cursorCase';
import { trimTrailingWhitespace } from './trimTrailingWhitespace';

describe('filter trimTrailingWhitespace', () => {
  const cases: [string, string | undefined][] = [
    ['def f(n):├\n    return n  \n\n┤', '\n    return n'],
    ['let a = ├1;┤', '1;'],
    ['├   ┤', ''],
  ];
  for (const [doc, expected] of cases) {
    it(JSON.stringify(doc), () => {
      const { snapshot, completion } = parseCursorCase(doc);
      assert.equal(trimTrailingWhitespace(completion, snapshot), expected);
    });
  }
});
