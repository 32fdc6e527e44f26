import { strict as assert } from 'node:assert';
import { createSnapshot } from '../../snapshot';
import { endBefore, LineReader } from '../lines';
import { requestContext } from '../requestContext';
import { repeatedLinesRule, repeatedLinesStop } from './repeatedLines';
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

// The rule as first written: every block length compared line by line (quadratic and worse on
// long completions). The fast rule must cut exactly where it did.
function referenceCut(lines: readonly string[]): number | undefined {
  for (let j = 0; j < lines.length; j++) {
    for (let k = (j + 1) >> 1; k >= 2; k--) {
      const i = j - 2 * k + 1;
      let same = false;
      for (let t = 0; t < k; t++) {
        if (lines[i + t] !== lines[i + k + t]) {
          same = false;
          break;
        }
        if (lines[i + t].trim().length > 0) same = true;
      }
      if (same) return i + k;
    }
    if (j > 0 && lines[j].trim().length > 0 && lines[j] === lines[j - 1]) return j;
  }
  return undefined;
}

describe('repeatedLinesRule: the same cuts as comparing every block length', () => {
  it('over 3,000 seeded random completions of few distinct lines, blank ones among them', () => {
    let seed = 20261207;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['', '  ', 'a', 'b', 'c', '}', '  x = 1'];
    let cuts = 0;
    for (let n = 0; n < 3000; n++) {
      const size = 1 + Math.floor(random() * 40);
      const kinds = 1 + Math.floor(random() * alphabet.length);
      const lines = Array.from({ length: size }, () => alphabet[Math.floor(random() * kinds)]);
      const completion = lines.join('\n');
      const ctx = requestContext(createSnapshot({ prefix: '', suffix: '', languageId: 'plaintext', path: 'a.txt', version: 1 }));
      const reader = new LineReader(ctx);
      const rule = repeatedLinesRule();
      let cut: number | undefined;
      for (const line of [...reader.read(completion), reader.finish(completion)]) {
        cut = rule(line, reader, completion);
        if (cut !== undefined) break;
      }
      const expected = referenceCut(lines.map((l) => l.trimEnd()));
      assert.equal(cut, expected === undefined ? undefined : endBefore(reader, expected), JSON.stringify(lines));
      if (expected !== undefined) cuts++;
    }
    assert.ok(cuts > 500 && cuts < 2900, `${cuts} of 3000 cut: both kinds are tried`);
  });
});
