import { strict as assert } from 'node:assert';
import { generate, prefill, type StepModel, type TokenCache } from '../../src/inference/generate';
import { seededRng } from '../../src/inference/rng';
import { deadline, eos, maxNewTokens, newline } from '../../src/inference/stopping';

/** A fake model over a 4-token vocabulary: next token = (last + 1) mod 4, with token 3 = "\n". */
class FakeCache implements TokenCache {
  readonly tokens: number[] = [];
  get length() {
    return this.tokens.length;
  }
}

function countingModel(maxPositions = 100): StepModel<FakeCache> & { calls: number[][]; cache: FakeCache } {
  const calls: number[][] = [];
  return {
    calls,
    maxPositions,
    cache: new FakeCache(),
    async forward(ids: readonly number[], cache: FakeCache) {
      calls.push([...ids]);
      cache.tokens.push(...ids);
      const last = ids[ids.length - 1];
      const logits = new Float32Array(4).fill(-5);
      logits[(last + 1) % 4] = 5;
      return logits;
    },
  };
}

/** Prefill in the model's own cache; the logits of the last prompt token. */
async function start(model: ReturnType<typeof countingModel>, ids: number[]): Promise<Float32Array> {
  return (await prefill(model, model.cache, ids))!;
}

const decode = (ids: readonly number[]) => ids.map((i) => (i === 3 ? '\n' : 'abc'[i])).join('');
const greedyParams = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1 };

describe('generation loop', () => {
  it('prefills once, then feeds one token a step', async () => {
    const model = countingModel();
    const gen = await generate(model, model.cache, await start(model, [0, 1]), { params: greedyParams, stopping: [maxNewTokens(3)], rng: seededRng(1), decode });
    assert.deepEqual(gen.tokenIds, [2, 3, 0]);
    assert.equal(gen.text, 'c\na');
    assert.equal(gen.stopReason, 'max-tokens');
    assert.deepEqual(model.calls, [[0, 1], [2], [3]]);
  });

  it('single-line stops at the newline and cuts it off', async () => {
    const model = countingModel();
    const gen = await generate(model, model.cache, await start(model, [0]), { params: greedyParams, stopping: [newline('singleLine'), maxNewTokens(10)], rng: seededRng(1), decode });
    assert.equal(gen.text, 'bc');
    assert.equal(gen.stopReason, 'newline');
    assert.deepEqual(gen.tokenIds, [1, 2], 'the newline token is not part of the result');
  });

  it('EOS ends the completion without being part of it', async () => {
    const model = countingModel();
    const gen = await generate(model, model.cache, await start(model, [0]), { params: greedyParams, stopping: [eos(2), maxNewTokens(10)], rng: seededRng(1), decode });
    assert.deepEqual(gen.tokenIds, [1]);
    assert.equal(gen.text, 'b');
  });

  it('an aborted signal stops after the current step', async () => {
    const model = countingModel();
    const controller = new AbortController();
    const first = await start(model, [0]);
    controller.abort();
    const gen = await generate(model, model.cache, first, { params: greedyParams, stopping: [maxNewTokens(10)], rng: seededRng(1), decode, signal: controller.signal });
    assert.equal(gen.stopReason, 'aborted');
    assert.equal(model.calls.length, 1, 'no step after the abort');
  });

  it('prefill runs a long prompt in chunks and stops between them when aborted', async () => {
    const model = countingModel(1000);
    const ids = Array.from({ length: 10 }, (_, i) => i % 3);
    await prefill(model, model.cache, ids, undefined, { chunk: 4 });
    assert.deepEqual(model.calls.map((c) => c.length), [4, 4, 2]);
    const controller = new AbortController();
    const aborted = countingModel(1000);
    const pending = prefill(aborted, aborted.cache, ids, controller.signal, { chunk: 4 });
    controller.abort();
    assert.equal(await pending, undefined);
    assert.equal(aborted.calls.length, 1, 'the chunk under way finishes; no chunk starts after the abort');
    assert.equal(aborted.cache.length, 4, 'what ran stays in the cache');
  });

  it('a prefill with a run budget doubles its chunks while a run stays within it, up to the largest', async () => {
    // A clock the fake model advances: `msPerToken` per prompt token run.
    const timed = (msPerToken: number) => {
      const model = countingModel(10_000);
      let clock = 0;
      const forward = model.forward.bind(model);
      model.forward = async (ids, cache) => {
        clock += ids.length * msPerToken;
        return forward(ids, cache);
      };
      return { model, now: () => clock };
    };
    const ids = Array.from({ length: 1000 }, (_, i) => i % 3);
    const fast = timed(0.5);
    await prefill(fast.model, fast.model.cache, ids, undefined, { chunk: 64, runMs: 150, maxChunk: 512 }, fast.now);
    // 64 (32 ms) → 128 (64 ms) → 256 (128 ms): 512 would take 256 ms, over the 150 ms budget.
    assert.deepEqual(fast.model.calls.map((c) => c.length), [64, 128, 256, 256, 256, 40]);
    assert.equal(fast.model.cache.length, 1000);
    const faster = timed(0.1);
    await prefill(faster.model, faster.model.cache, ids, undefined, { chunk: 64, runMs: 150, maxChunk: 512 }, faster.now);
    assert.deepEqual(faster.model.calls.map((c) => c.length), [64, 128, 256, 512, 40], 'never past maxChunk');
    const slow = timed(3);
    await prefill(slow.model, slow.model.cache, ids.slice(0, 200), undefined, { chunk: 64, runMs: 150, maxChunk: 512 }, slow.now);
    assert.deepEqual(slow.model.calls.map((c) => c.length), [64, 64, 64, 8], 'a run already over budget does not grow');
    const fixed = timed(0.1);
    await prefill(fixed.model, fixed.model.cache, ids.slice(0, 200), undefined, { chunk: 64 }, fixed.now);
    assert.deepEqual(fixed.model.calls.map((c) => c.length), [64, 64, 64, 8], 'no budget: fixed chunks');
  });

  it('reports every sampled token, the cut-off ones too, and which one the cache lacks', async () => {
    const model = countingModel();
    const gen = await generate(model, model.cache, await start(model, [0]), { params: greedyParams, stopping: [newline('singleLine'), maxNewTokens(10)], rng: seededRng(1), decode });
    assert.deepEqual(gen.tokenIds, [1, 2]);
    assert.deepEqual(gen.sampled, [1, 2, 3]);
    assert.equal(gen.pending, 3);
    assert.deepEqual(model.cache.tokens, [0, 1, 2]);
  });

  it('stops when the context is full', async () => {
    const model = countingModel(4);
    const gen = await generate(model, model.cache, await start(model, [0, 1]), { params: greedyParams, stopping: [maxNewTokens(10)], rng: seededRng(1), decode });
    // 2 prompt tokens + 2 fed back fill the 4 positions; the third sampled token needs no position.
    assert.equal(gen.stopReason, 'context-full');
    assert.equal(gen.tokenIds.length, 3);
  });

  it('the deadline uses the injected clock', async () => {
    const model = countingModel();
    let t = 0;
    const now = () => (t += 40);
    const gen = await generate(model, model.cache, await start(model, [0]), { params: greedyParams, stopping: [deadline(100), maxNewTokens(50)], rng: seededRng(1), decode, now, startedAt: 0 });
    assert.equal(gen.stopReason, 'deadline');
    assert.ok(gen.tokenIds.length < 5);
  });
});
