// Test cases in cursor notation: "foo(├a, b)┤)" is a document whose cursor sits after "foo(",
// with the model's completion "a, b)" between the marks; the rest is the suffix.
import { strict as assert } from 'node:assert';
import { createSnapshot, type DocumentSnapshot } from '../snapshot';
import type { Filter } from './types';

export function parseCursorCase(text: string, languageId = 'plaintext'): { snapshot: DocumentSnapshot; completion: string } {
  const open = text.indexOf('├');
  const close = text.indexOf('┤');
  if (open < 0 || close < open) throw new Error(`cursor case needs ├completion┤: ${JSON.stringify(text)}`);
  return {
    snapshot: createSnapshot({ prefix: text.slice(0, open), suffix: text.slice(close + 1), languageId, path: 'case.txt', version: 1 }),
    completion: text.slice(open + 1, close),
  };
}

/** One mocha test per case: the filter applied to the case's completion gives `expected`. */
export function describeFilter(name: string, filter: Filter, cases: readonly (readonly [string, string | undefined])[]): void {
  describe(`filter ${name}`, () => {
    for (const [doc, expected] of cases) {
      it(JSON.stringify(doc), () => {
        const { snapshot, completion } = parseCursorCase(doc);
        assert.equal(filter(completion, snapshot), expected);
      });
    }
  });
}
