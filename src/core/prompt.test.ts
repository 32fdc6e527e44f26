import { strict as assert } from 'node:assert';
import { buildPrompt } from './prompt';
import { createSnapshot } from './snapshot';
import type { TextTokenizer } from './tokenizer';

/** One token per character: budgets read as character counts. */
const chars: TextTokenizer = { encode: (t) => [...t].map((c) => c.charCodeAt(0)), decode: (ids) => String.fromCharCode(...ids), eosTokenId: 0, size: 65536 };
const doc = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(2, '0')}`).join('\n') + '\n';
const at = (cursor: number) => createSnapshot({ prefix: doc.slice(0, cursor), suffix: doc.slice(cursor), languageId: 'txt', path: '/d', version: 1, prefixOffset: 0 });

describe('prompt window anchored for the KV cache', () => {
  it('starts at a line start and stays there while typing fits the budget', () => {
    const first = buildPrompt(at(200), chars, 64);
    assert.ok(first.ids.length <= 64);
    assert.equal(doc[first.start - 1], '\n');
    for (let cursor = 201; cursor < first.start + 64; cursor++) {
      const next = buildPrompt(at(cursor), chars, 64, 0, first.start);
      assert.equal(next.start, first.start, `cursor ${cursor}: the window did not slide`);
    }
  });

  it('when the text from the anchor no longer fits, jumps forward to fill three quarters of the budget', () => {
    const first = buildPrompt(at(200), chars, 64);
    const over = buildPrompt(at(first.start + 70), chars, 64, 0, first.start);
    assert.ok(over.start > first.start);
    assert.ok(over.ids.length <= 48, `${over.ids.length} tokens: room to type before the next jump`);
    assert.equal(doc[over.start - 1], '\n');
  });

  it('an anchor that is no longer a line start (an edit above) is dropped', () => {
    const p = buildPrompt(at(200), chars, 64, 0, 150 + 3);
    assert.equal(doc[p.start - 1], '\n');
  });
});
