import { strict as assert } from 'node:assert';
import { silentLogger } from '../../src/core/logger';
import { CachePool } from '../../src/inference/cachePool';
import { SequenceCache } from '../../src/inference/sequenceCache';

const layout = { slots: [{ past: 'p', present: 'q', layout: 'BHTD' as const, heads: 2, headDim: 3 }], dtype: 'float32' as const };
/** Keys/values of token t: six channels holding t, t+0.1, … so misplaced rows show. */
const rows = (ids: number[]) => [Float32Array.from(ids.flatMap((t) => [0, 1, 2, 3, 4, 5].map((c) => t + c / 10)))];

describe('KV buffers owned by the engine', () => {
  it('appends without losing what it holds while it grows, and views only the valid prefix', () => {
    const c = new SequenceCache(layout, 1000);
    const ids = Array.from({ length: 300 }, (_, i) => i);
    for (let at = 0; at < ids.length; at += 7) c.append(ids.slice(at, at + 7), rows(ids.slice(at, at + 7)));
    assert.equal(c.length, 300);
    assert.deepEqual(c.tokens, ids);
    assert.deepEqual([...c.view(0)], [...rows(ids)[0]]);
    assert.ok(c.bytes >= 300 * 6 * 4 && c.bytes <= 1.5 * 300 * 6 * 4 + 64 * 24, `${c.bytes} bytes for 300 tokens`);
  });

  it('reserves what a request will hold in one allocation, grows by half again for a little more, never past the positions', () => {
    const c = new SequenceCache(layout, 1000);
    c.reserve(300);
    assert.equal(c.bytes, 300 * 6 * 4, 'exactly the 300 tokens asked for, not the next step of 64 · 1.5ⁿ');
    const ids = Array.from({ length: 300 }, (_, i) => i);
    c.append(ids, rows(ids));
    assert.equal(c.bytes, 300 * 6 * 4, 'appending within the reservation allocates nothing');
    c.reserve(301);
    assert.equal(c.bytes, 450 * 6 * 4, 'one token more: half again, so the next keystroke does not copy the state');
    assert.deepEqual([...c.view(0)], [...rows(ids)[0]], 'the state survives the move');
    c.reserve(5000);
    assert.equal(c.bytes, 1000 * 6 * 4);
  });

  it('truncates to a shared prefix and appends after it; never beyond the model positions', () => {
    const c = new SequenceCache(layout, 10);
    c.append([1, 2, 3, 4], rows([1, 2, 3, 4]));
    assert.equal(c.commonPrefix([1, 2, 9]), 2);
    c.truncate(2);
    c.append([9], rows([9]));
    assert.deepEqual([...c.view(0)], [...rows([1, 2, 9])[0]]);
    assert.throws(() => c.append(Array(8).fill(0), rows(Array(8).fill(0))), /exceeds 10/);
  });
});

describe('the KV pool', () => {
  const pool = (budget: number) => new CachePool(() => new SequenceCache(layout, 1000), budget, silentLogger);
  const fill = (c: SequenceCache, ids: number[]) => c.append(ids.slice(c.length), rows(ids.slice(c.length)));

  it('hands out the state with the longest shared prefix, truncated to it, leaving the last prompt token to run', () => {
    const p = pool(1 << 20);
    const a = p.acquire([1, 2, 3]);
    fill(a.cache, [1, 2, 3, 4, 5]);
    const b = p.acquire([7, 8]);
    fill(b.cache, [7, 8]);
    const again = p.acquire([1, 2, 3, 4, 9]);
    assert.equal(again.cache, a.cache);
    assert.equal(again.reused, 4);
    assert.equal(again.cache.length, 4);
    const same = p.acquire([7, 8]);
    assert.equal(same.cache, b.cache);
    assert.equal(same.reused, 1, 'the last prompt token runs again');
  });

  it('keeps at most four states and drops the least recently used beyond the budget', () => {
    const p = pool(1 << 20);
    for (let i = 0; i < 6; i++) fill(p.acquire([100 + i, 1]).cache, [100 + i, 1]);
    assert.equal(p.size, 4);
    const tight = pool(64 * 6 * 4 * 2);
    for (let i = 0; i < 3; i++) fill(tight.acquire([200 + i, 1]).cache, [200 + i, 1]);
    tight.trim();
    assert.equal(tight.size, 2, 'two 64-token states fit the budget');
    assert.equal(tight.acquire([200, 1]).reused, 0, 'the oldest was dropped');
  });
});
