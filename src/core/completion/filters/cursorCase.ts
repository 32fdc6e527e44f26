// Test cases in cursor notation: "foo(├a, b)┤)" is a document whose cursor sits after "foo(",
// with the model's completion "a, b)" between the marks; the rest is the suffix.
import { strict as assert } from 'node:assert';
import { createSnapshot, type DocumentSnapshot } from '../../snapshot';
import type { Filter, RangeFilter, Suggestion } from './types';

export function parseCursorCase(text: string, languageId = 'plaintext', path = 'case.txt'): { snapshot: DocumentSnapshot; completion: string } {
  const open = text.indexOf('├');
  const close = text.indexOf('┤', open + 1);
  if (open < 0 || close < open) throw new Error(`cursor case needs ├completion┤: ${JSON.stringify(text)}`);
  return {
    snapshot: createSnapshot({ prefix: text.slice(0, open), suffix: text.slice(close + 1), languageId, path, version: 1 }),
    completion: text.slice(open + 1, close),
  };
}

/** A case: the document in cursor notation, the expected result (undefined: dropped), and optionally the language. */
export type FilterCase = readonly [doc: string, expected: string | undefined, languageId?: string];

/** One mocha test per case: the filter applied to the case's completion gives `expected`. */
export function describeFilter(name: string, filter: Filter, cases: readonly FilterCase[]): void {
  describe(`filter ${name}`, () => {
    for (const [doc, expected, languageId] of cases) {
      it(`${languageId ? `[${languageId}] ` : ''}${JSON.stringify(doc)}`, () => {
        const { snapshot, completion } = parseCursorCase(doc, languageId);
        assert.equal(filter(completion, snapshot), expected);
      });
    }
  });
}

/** A range case: the expected text and how many characters after the cursor it replaces. */
export type RangeCase = readonly [doc: string, expected: Suggestion | undefined, languageId?: string];

export function describeRangeFilter(name: string, filter: RangeFilter, cases: readonly RangeCase[]): void {
  describe(`filter ${name}`, () => {
    for (const [doc, expected, languageId] of cases) {
      it(`${languageId ? `[${languageId}] ` : ''}${JSON.stringify(doc)}`, () => {
        const { snapshot, completion } = parseCursorCase(doc, languageId);
        assert.deepEqual(filter(completion, snapshot), expected);
      });
    }
  });
}
