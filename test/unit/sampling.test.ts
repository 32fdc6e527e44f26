import { strict as assert } from 'node:assert';
import { processorsFor, repetitionPenalty, softmax, temperature, topK, topP } from '../../src/inference/processors';
import { seededRng } from '../../src/inference/rng';
import { greedy, multinomial } from '../../src/inference/sampler';

const logits = () => Float32Array.from([1, 3, 2, 0.5, 3]);

describe('logits processors', () => {
  it('temperature divides the logits and leaves the input untouched', () => {
    const input = logits();
    assert.deepEqual([...temperature(0.5)([], input)], [2, 6, 4, 1, 6]);
    assert.deepEqual([...input], [...logits()]);
  });

  it('top-k keeps the k largest (ties at the k-th kept) and masks the rest', () => {
    assert.deepEqual([...topK(2)([], logits())], [-Infinity, 3, -Infinity, -Infinity, 3]);
    assert.deepEqual([...topK(3)([], logits())], [-Infinity, 3, 2, -Infinity, 3]);
    assert.deepEqual([...topK(0)([], logits())], [...logits()], 'k = 0 is off');
  });

  it('top-k agrees with a sort on random logits with ties, at every k', () => {
    const rng = seededRng(3);
    for (let trial = 0; trial < 20; trial++) {
      const values = Float32Array.from({ length: 200 + trial * 37 }, () => Math.round(rng() * 40) / 4 - 5);
      for (const k of [1, 2, 7, 50, values.length - 1]) {
        const kth = Float32Array.from(values).sort()[values.length - k];
        const kept = [...topK(k)([], values)].map((v, i) => (v === -Infinity ? -1 : i)).filter((i) => i >= 0);
        assert.deepEqual(kept, [...values.keys()].filter((i) => values[i] >= kth), `trial ${trial}, k ${k}`);
      }
    }
  });

  it('top-p keeps the smallest most likely set reaching p', () => {
    const out = topP(0.5)([], Float32Array.from([0, Math.log(6), Math.log(3), Math.log(1)].map((v) => v)));
    // probabilities 1/11, 6/11, 3/11, 1/11: 6/11 alone reaches 0.5.
    assert.deepEqual([...out].map((v) => v === -Infinity), [true, false, true, true]);
    assert.deepEqual([...topP(1)([], logits())], [...logits()], 'p = 1 is off');
  });

  it('repetition penalty lowers the logits of seen tokens, positive and negative alike', () => {
    const out = repetitionPenalty(2)([0, 3, 3], Float32Array.from([4, 1, -1, -2]));
    assert.deepEqual([...out], [2, 1, -1, -4]);
  });

  it('greedy needs no sampling processors', () => {
    assert.equal(processorsFor({ temperature: 0, topK: 5, topP: 0.5, repetitionPenalty: 1 }).length, 1);
    assert.equal(processorsFor({ temperature: 0.7, topK: 5, topP: 0.5, repetitionPenalty: 1 }).length, 4);
  });

  it('softmax sums to one and gives -Infinity zero mass', () => {
    const p = softmax(Float32Array.from([0, -Infinity, 1]));
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.equal(p[1], 0);
  });
});

describe('samplers', () => {
  it('greedy takes the first maximum', () => {
    assert.equal(greedy()(logits()), 1);
  });

  it('a seeded draw is reproducible and follows the distribution', () => {
    const l = Float32Array.from([0, Math.log(3), -Infinity]);
    const draw = (seed: number) => {
      const s = multinomial(seededRng(seed));
      return Array.from({ length: 4000 }, () => s(l));
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    const ones = draw(7).filter((t) => t === 1).length / 4000;
    assert.ok(Math.abs(ones - 0.75) < 0.03, `P(1) ≈ 0.75, got ${ones}`);
    assert.ok(!draw(7).includes(2), 'a masked token is never drawn');
  });
});
