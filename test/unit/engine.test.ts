import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { silentLogger } from '../../src/core/logger';
import type { InferenceEngine } from '../../src/inference/engine';
import { resolveModelFolder } from '../../src/inference/model';
import { ModelSession } from '../../src/inference/session';
import { ensureModel } from '../../scripts/model/generate';
import { layoutModel, loadEngine, preparedCacheDir, repoRoot, tinyModel, tinyModelB } from './helpers';
import { engineAndSessions, expectCachedEqualsRecomputation, expectSameSteps, greedyByRecomputation, options, PROMPTS, snap } from './modelChecks';

const MODELS: [string, () => Promise<string>][] = [
  ['TINY (2 layers, 2 heads, 64 wide)', tinyModel],
  ['TINY_B (3 layers, 4 heads, 96 wide)', tinyModelB],
  ['an odd shape (1 layer, 3 heads, 48 wide, 96 positions)', () => ensureModel('odd', { nLayer: 1, nHead: 3, nEmbd: 48, nPositions: 96, seed: 3 })],
  ['merged decoder (use_cache_branch)', () => layoutModel('merged')],
  ['legacy export without position_ids', () => layoutModel('legacy')],
];

for (const [label, model] of MODELS) {
  describe(`engine on ${label}`, function () {
    let engine: InferenceEngine;
    let session: ModelSession;
    let original: ModelSession;
    let release: () => Promise<void>;
    before(async () => ({ engine, session, original, release } = await engineAndSessions(await model())));
    after(() => release?.());

    it('the graph is prepared, and the prepared graph gives the original graph\'s logits at every step (within 1e-4)', async () => {
      assert.equal(session.prepared, true, session.prepareNote);
      assert.equal(original.prepared, false);
      for (const prompt of PROMPTS) await expectSameSteps(session, original, engine.encode(prompt), JSON.stringify(prompt));
    });

    it('a reused cache gives the cold run\'s tokens: same prompt, a typed character, a backspace, a jump elsewhere', async () => {
      const doc = 'import numpy as np\n\ndef mean(values):\n    total = sum(values)\n    return total / len(values)\n\nprint(mean([1, 2, 3]))\n';
      const at = (cursor: number) => snap(doc.slice(0, cursor));
      const cold = async (cursor: number) => (await engine.complete(at(cursor), options({ cache: 'cold' }))).completions[0].tokenIds;
      const warm = async (cursor: number) => engine.complete(at(cursor), options());
      const mid = doc.indexOf('return') + 3;
      for (const cursor of [mid, mid, mid + 1, mid, 20, doc.length]) {
        const r = await warm(cursor);
        assert.deepEqual(r.completions[0].tokenIds, await cold(cursor), `cursor ${cursor}`);
      }
      const again = await warm(mid + 1);
      await warm(mid + 2);
      const typed = await warm(mid + 3);
      assert.ok((again.timings.cachedTokens ?? 0) > 0 && (typed.timings.cachedTokens ?? 0) >= typed.promptTokenIds.length - 3, `cached ${typed.timings.cachedTokens} of ${typed.promptTokenIds.length}`);
    });

    it('cached decoding gives the same next-token logits as the whole sequence without a cache (within 1e-4)', async () => {
      for (const prompt of PROMPTS) await expectCachedEqualsRecomputation(engine, session, prompt);
    });

    it('greedy decoding equals greedy decoding by recomputation, and is deterministic', async () => {
      for (const prompt of PROMPTS.slice(0, 2)) {
        const a = await engine.complete(snap(prompt), options());
        const b = await engine.complete(snap(prompt), options());
        assert.deepEqual(a.completions[0].tokenIds, b.completions[0].tokenIds);
        assert.deepEqual(a.completions[0].tokenIds, await greedyByRecomputation(engine, [...a.promptTokenIds], 8));
        assert.equal(a.completions[0].text, engine.decode(a.completions[0].tokenIds));
      }
    });

    it('a seeded sample is reproducible; another seed differs', async () => {
      const sample = async (seed: number) =>
        (await engine.complete(snap(PROMPTS[0]), options({ temperature: 1.0, topK: 0, topP: 1, seed, maxNewTokens: 12 }))).completions[0].tokenIds;
      assert.deepEqual(await sample(42), await sample(42));
      assert.notDeepEqual(await sample(42), await sample(43));
    });
  });
}

describe('engine behaviour', () => {
  let engine: InferenceEngine;
  before(async () => {
    engine = await loadEngine(await tinyModel());
  });
  after(() => engine?.release());

  it('different prompts give different greedy continuations (the generated model is not degenerate)', async () => {
    const a = await engine.complete(snap('def fibonacci(n):'), options());
    const b = await engine.complete(snap('function factorial(n) {'), options());
    assert.notDeepEqual(a.completions[0].tokenIds, b.completions[0].tokenIds);
  });

  it('num-return-sequences samples several continuations from one prefill', async () => {
    const r = await engine.complete(snap('x = '), options({ temperature: 1, numReturnSequences: 3, seed: 5 }));
    assert.equal(r.completions.length, 3);
    assert.equal(new Set(r.completions.map((c) => c.tokenIds.join(','))).size, 3);
  });

  it('a request allocates its KV state once: for the prompt, the new tokens and the look-ahead', async () => {
    const fresh = await loadEngine(await tinyModel());
    try {
      const text = Array.from({ length: 12 }, (_, i) => `value_${i} = compute(${i})`).join('\n') + '\n';
      const r = await fresh.complete(snap(text), options({ maxNewTokens: 10, lookAheadTokens: 7 }));
      assert.ok(r.promptTokenIds.length > 64, `${r.promptTokenIds.length} prompt tokens: more than a fresh state's 64`);
      // fp32 KV: a key and a value of n_embd channels per layer and token.
      const perToken = fresh.info.nLayer * 2 * fresh.info.nEmbd * 4;
      assert.equal(fresh.kvPoolBytes / perToken, r.promptTokenIds.length + 10 + 7);
    } finally {
      await fresh.release();
    }
  });

  it('keeps the prompt inside n_positions - maxNewTokens, cutting at a line start', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `line_${i} = ${i}`).join('\n') + '\nresult = ';
    const r = await engine.complete(snap(long), options({ maxNewTokens: 16, contextTokens: 4096 }));
    assert.ok(r.promptTokenIds.length <= engine.info.nPositions - 16, `${r.promptTokenIds.length} prompt tokens`);
    assert.match(engine.decode([...r.promptTokenIds]), /^line_\d+ = \d+\n/);
    assert.ok(engine.decode([...r.promptTokenIds]).endsWith('\nresult = '));
  });

  it('document text that spells a special token is encoded as text, never as the control token', () => {
    const ids = engine.encode('x = "<|endoftext|>"');
    assert.ok(!ids.includes(50256), JSON.stringify(ids));
    assert.equal(engine.decode(ids), 'x = "<|endoftext|>"');
  });

  it('an empty document starts from <|endoftext|>', async () => {
    const r = await engine.complete(snap(''), options({ maxNewTokens: 2 }));
    assert.deepEqual(r.promptTokenIds, [50256]);
    assert.equal(r.completions[0].tokenIds.length, 2);
  });

  it('an abort stops generation between steps and returns no completions', async () => {
    const controller = new AbortController();
    // Aborted when the first token is sampled: no further step runs.
    const result = await engine.complete(snap('def f():'), options({ maxNewTokens: 240, contextTokens: 10 }), controller.signal, () => controller.abort());
    assert.deepEqual(result.completions, []);
    assert.equal(result.timings.newTokens, 1, `stopped after ${result.timings.newTokens} of 240 tokens`);
  });

  it('the CLI --json prints the greedy decode by recomputation', async () => {
    const dir = await tinyModel();
    const out = execFileSync(process.execPath, [join(repoRoot(), 'dist/cli.js'), 'complete', '--model', dir, '--prompt', 'def fibonacci(n):', '--temperature', '0', '--max-new-tokens', '8', '--model-file', 'fp32', '--json'], { encoding: 'utf8' });
    const parsed = JSON.parse(out);
    assert.deepEqual(parsed.promptTokenIds, engine.encode('def fibonacci(n):'));
    assert.deepEqual(parsed.completions[0].tokenIds, await greedyByRecomputation(engine, parsed.promptTokenIds, 8));
    assert.equal(parsed.completions[0].text, engine.decode(parsed.completions[0].tokenIds));
    assert.equal(typeof parsed.timings.totalMs, 'number');
  });

  it('the CLI refuses a bad option with a usage error', () => {
    assert.throws(
      () => execFileSync(process.execPath, [join(repoRoot(), 'dist/cli.js'), 'complete', '--model', '/x', '--prompt', 'a', '--temperature', 'hot'], { encoding: 'utf8', stdio: 'pipe' }),
      (err: { status: number; stderr: string }) => err.status === 2 && /--temperature must be a number/.test(err.stderr),
    );
  });
});

describe('graph preparation', () => {
  const files = async () => {
    const out: [string, string][] = [];
    for (const layout of ['model', 'merged', 'legacy'] as const) {
      const dir = await layoutModel(layout);
      for (const file of (await import('node:fs')).readdirSync(join(dir, 'onnx'))) out.push([`${layout}/${file}`, join(dir, 'onnx', file)]);
    }
    return out;
  };

  it('finds the LM head and runs it on the last position only, and turns the score masks into a bias, in every layout, fp32 and int8', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseModel } = await import('../../src/inference/onnx/graph');
    const { rewriteForCache } = await import('../../src/inference/onnx/rewrite');
    const { kvSlots } = await import('../../src/inference/signature');
    const all = await files();
    assert.equal(all.length, 6, all.map(([n]) => n).join(', '));
    for (const [name, path] of all) {
      const folder = await resolveModelFolder(dirname(dirname(path)), 'fp32');
      const result = rewriteForCache(parseModel(readFileSync(path)), { slots: kvSlots(folder.config), vocabSize: folder.config.vocabSize });
      assert.equal(result.logits, 'head', name);
      assert.equal(result.inlinedBranch, name.startsWith('merged'), name);
      // Every layer's causal mask is a Where over the scores: each becomes an added bias.
      assert.ok(result.maskedAsBias >= folder.config.nLayer, `${name}: ${result.maskedAsBias} masks as a bias`);
    }
  });

  it('the prepared int8 graph decodes the original int8 graph\'s greedy tokens', async () => {
    const folder = await resolveModelFolder(await tinyModel(), 'quantized');
    const prepared = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir: preparedCacheDir() });
    const original = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { prepare: false });
    try {
      assert.equal(prepared.prepared, true, prepared.prepareNote);
      // One token at a time: dynamic quantization scales activations per call, so both graphs see the same rows.
      for (const prompt of PROMPTS) await expectSameSteps(prepared, original, Array.from(Buffer.from(prompt), (b) => b + 200), JSON.stringify(prompt), 1e-3, true);
    } finally {
      await prepared.release();
      await original.release();
    }
  });

  it('a graph that cannot be prepared runs unprepared, with the reason logged', async () => {
    const { prepareGraph } = await import('../../src/inference/prepare');
    const lines: string[] = [];
    const log = (await import('../../src/core/logger')).createLogger((_l, m) => lines.push(m));
    const folder = await resolveModelFolder(await tinyModel(), 'fp32');
    // A spec naming caches the graph does not have: the rewrite refuses, nothing is written.
    const slots = [{ past: 'past_key_values.9.key', present: 'present.9.key', layout: 'BHTD' as const, heads: 2, headDim: 32 }];
    const result = await prepareGraph(folder.onnxPath, { slots, vocabSize: 50257 }, preparedCacheDir(), log);
    assert.equal(result.path, undefined);
    assert.match(result.note, /no input past_key_values\.9\.key.*original graph/);
    assert.ok(lines.some((l) => /could not be prepared/.test(l)));
  });
});
