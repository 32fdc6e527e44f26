// Alternatives and confidence: the engine's mean log-probability per completion, several
// sequences from one prompt's cache, and how the service asks for and ranks them.
import { strict as assert } from 'node:assert';
import { AUTOMATIC_MAX_TEMPERATURE, rankCompletions } from '../../src/core/alternatives';
import { CompletionService } from '../../src/core/completionService';
import { DEFAULTS, type Settings } from '../../src/core/config';
import type { EngineClient } from '../../src/core/engineClient';
import { silentLogger } from '../../src/core/logger';
import type { Completion, CompletionOptions, CompletionResult } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';
import type { InferenceEngine } from '../../src/inference/engine';
import { logProbability, meanLogprob } from '../../src/inference/generate';
import { loadEngine, tinyModel } from './helpers';
import { options, snap } from './modelChecks';

const c = (text: string, meanLogprob?: number): Completion => ({ text, tokenIds: [1], stopReason: 'max-tokens', ...(meanLogprob !== undefined ? { meanLogprob } : {}) });

describe('log-probabilities', () => {
  it('logProbability is log softmax at the token; the mean covers the kept tokens only', () => {
    const logits = new Float32Array([1, 2, 3]);
    const z = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    assert.ok(Math.abs(logProbability(logits, 2) - (3 - z)) < 1e-6);
    assert.ok(Math.abs(logProbability(new Float32Array([1000, 0]), 0)) < 1e-9, 'no overflow');
    assert.equal(meanLogprob([-1, -3, -100], 2), -2);
    assert.equal(meanLogprob([-1], 0), undefined);
  });
});

describe('the engine reports how sure the model was, and samples alternatives from one prompt', function () {
  let engine: InferenceEngine;
  before(async () => (engine = await loadEngine(await tinyModel())));
  after(async () => engine?.release());

  it('mean log-probability of a greedy completion, checked by recomputation without the cache', async () => {
    const result = await engine.complete(snap('def fibonacci(n):'), options());
    const [c] = result.completions;
    const seq = [...result.promptTokenIds];
    let sum = 0;
    for (const id of c.tokenIds) {
      sum += logProbability(await engine.logitsWithoutCache(seq), id);
      seq.push(id);
    }
    assert.ok(c.meanLogprob !== undefined && Math.abs(c.meanLogprob - sum / c.tokenIds.length) < 1e-3, `${c.meanLogprob} vs ${sum / c.tokenIds.length}`);
    // Random weights: about a uniform guess over the vocabulary, nothing like a real model.
    assert.ok(c.meanLogprob! < 0);
  });

  it('the log-probability does not depend on the temperature: it is the model\'s own', async () => {
    const greedy = (await engine.complete(snap('x = '), options())).completions[0];
    const hot = (await engine.complete(snap('x = '), options({ temperature: 1e-6 }))).completions[0];
    assert.deepEqual(hot.tokenIds, greedy.tokenIds);
    assert.ok(Math.abs(hot.meanLogprob! - greedy.meanLogprob!) < 1e-4);
  });

  it('several sequences: the prompt is run once, each sequence from its state, reproducible by seed', async () => {
    const prompt = 'import numpy as np\nx = np.';
    await engine.complete(snap('unrelated'), options({ cache: 'cold' }));
    const result = await engine.complete(snap(prompt), options({ temperature: 1, numReturnSequences: 3, seed: 7 }));
    assert.equal(result.completions.length, 3);
    assert.equal(new Set(result.completions.map((c) => c.text)).size, 3, 'three samples, three texts');
    for (const c of result.completions) assert.equal(typeof c.meanLogprob, 'number');
    // Each is the sequence a single request with its seed gives.
    for (let i = 0; i < 3; i++) {
      const single = await engine.complete(snap(prompt), options({ temperature: 1, seed: 7 + i }));
      assert.deepEqual(single.completions[0].tokenIds, result.completions[i].tokenIds);
      // The prompt's state stayed cached: only what differs is run again.
      assert.ok((single.timings.cachedTokens ?? 0) >= single.promptTokenIds.length - 1, `${single.timings.cachedTokens} of ${single.promptTokenIds.length} cached`);
    }
  });
});

describe('ranking and the confidence gate', () => {

  it('best first, ties in the engine\'s order, no log-probability last', () => {
    assert.deepEqual(rankCompletions([c('a', -3), c('b', -1), c('c'), c('d', -1)]).map((x) => x.text), ['b', 'd', 'a', 'c']);
  });

  it('the gate hides those below the threshold', () => {
    assert.deepEqual(rankCompletions([c('a', -3), c('b', -1), c('c', -2)], -2).map((x) => x.text), ['b', 'c']);
  });
});

describe('the service: one candidate while typing, alternatives on an explicit trigger', () => {
  /** An engine client that answers with given completions and records the options it was asked with. */
  function fakeClient(completions: Completion[]) {
    const asked: CompletionOptions[] = [];
    const client = {
      async load() {
        return { name: 'fake', dir: '/fake', onnxPath: '/fake/model.onnx', provider: 'cpu', nLayer: 1, nHead: 1, nEmbd: 8, nPositions: 64, vocabSize: 10, loadMs: 0 };
      },
      stop() {},
      setIdleUnload() {},
      async complete(_s: unknown, o: CompletionOptions): Promise<CompletionResult> {
        asked.push(o);
        return { completions: completions.slice(0, o.numReturnSequences), promptTokenIds: [1], timings: { tokenizeMs: 0, prefillMs: 0, decodeMs: 0, totalMs: 0, newTokens: 1 } };
      },
    };
    return { client: client as unknown as EngineClient, asked };
  }

  async function serviceWith(completions: Completion[], extra: Partial<Settings> = {}) {
    const { client, asked } = fakeClient(completions);
    const service = new CompletionService(client, silentLogger);
    service.setModelSource(async (s) => ({ dir: s.modelPath, name: 'fake' }));
    const settings: Settings = { ...DEFAULTS, modelPath: '/fake', debounceMs: 0, temperature: 0.8, ...extra };
    assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
    return { service, settings, asked };
  }

  const place = createSnapshot({ prefix: 'const total = ', suffix: '', languageId: 'javascript', path: 'a.js', version: 1 });
  const three = [c('a + b;', -4), c('sum(values);', -1), c('a + b;', -2)];

  it('automatic: one candidate at a low temperature', async () => {
    const { service, settings, asked } = await serviceWith(three);
    const answer = await service.complete(place, settings, new AbortController().signal, 'automatic');
    assert.equal(asked[0].numReturnSequences, 1);
    assert.equal(asked[0].temperature, AUTOMATIC_MAX_TEMPERATURE);
    assert.deepEqual(answer.texts, ['a + b;']);
    service.dispose();
  });

  it('explicit: the alternatives at the chosen temperature, best first, duplicates once', async () => {
    const { service, settings, asked } = await serviceWith(three);
    const answer = await service.complete(place, settings, new AbortController().signal, 'explicit');
    assert.equal(asked[0].numReturnSequences, DEFAULTS.alternatives);
    assert.equal(asked[0].temperature, 0.8);
    assert.deepEqual(answer.texts, ['sum(values);', 'a + b;']);
    service.dispose();
  });

  it('explicit at temperature 0: one candidate (greedy gives the same one each time)', async () => {
    const { service, settings, asked } = await serviceWith(three, { temperature: 0 });
    await service.complete(place, settings, new AbortController().signal, 'explicit');
    assert.equal(asked[0].numReturnSequences, 1);
    service.dispose();
  });

  it('the confidence gate (off by default) hides the unsure candidates', async () => {
    const { service, settings } = await serviceWith(three, { confidenceGate: true, confidenceThreshold: -1.5 });
    const answer = await service.complete(place, settings, new AbortController().signal, 'explicit');
    assert.deepEqual(answer.texts, ['sum(values);']);
    const low = await serviceWith([c('a + b;', -4)], { confidenceGate: true, confidenceThreshold: -1.5 });
    assert.deepEqual((await low.service.complete(place, low.settings, new AbortController().signal, 'automatic')).texts, []);
    assert.equal(DEFAULTS.confidenceGate, false);
    service.dispose();
    low.service.dispose();
  });
});
