// Checks that engine and architecture tests share: logits compared step by step, greedy
// decoding by recomputation, the options and prompts they run.
import { strict as assert } from 'node:assert';
import type { CompletionOptions } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';
import { silentLogger } from '../../src/core/logger';
import type { InferenceEngine } from '../../src/inference/engine';
import { decodableOnly } from '../../src/inference/decodableRows';
import { resolveModelFolder } from '../../src/inference/model';
import { ModelSession } from '../../src/inference/session';
import { loadEngine, preparedCacheDir } from './helpers';

export const PROMPTS = ['def fibonacci(n):', 'function factorial(n) {\n  return', 'Hello', 'import numpy as np\nx = np.']; // several lengths

export const options = (o: Partial<CompletionOptions> = {}): CompletionOptions => ({
  temperature: 0,
  topK: 0,
  topP: 1,
  repetitionPenalty: 1,
  maxNewTokens: 8,
  contextTokens: 1000,
  timeoutMs: 60_000,
  newline: 'none',
  numReturnSequences: 1,
  seed: 1,
  ...o,
});

export const snap = (prefix: string) => createSnapshot({ prefix, suffix: '', languageId: 'python', path: 'x.py', version: 1 });

/** ‖a − b‖ / ‖b‖ */
export function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let [diff, norm] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  // Equal values (masked rows: -Infinity on both sides) differ by nothing.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Greedy decoding by recomputation: the whole sequence from scratch at every step, no cache. */
export async function greedyByRecomputation(engine: InferenceEngine, ids: number[], n: number): Promise<number[]> {
  const seq = [...ids];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const next = argmax(await engine.logitsWithoutCache(seq));
    out.push(next);
    seq.push(next);
  }
  return out;
}

/**
 * Greedy decoding of the first two prompts equals greedy decoding by recomputation (`n` tokens, or
 * as many as it decoded), optionally its text the tokenizer's decoding of them; the two continue differently.
 */
export async function expectGreedyByRecomputation(engine: InferenceEngine, n: number | 'decoded', checkText = false): Promise<void> {
  const seen = new Set<string>();
  for (const prompt of PROMPTS.slice(0, 2)) {
    const a = await engine.complete(snap(prompt), options());
    const ids = a.completions[0].tokenIds;
    assert.deepEqual(ids, await greedyByRecomputation(engine, [...a.promptTokenIds], n === 'decoded' ? ids.length : n));
    if (checkText) assert.equal(a.completions[0].text, engine.decode(ids));
    seen.add(ids.join(','));
  }
  assert.equal(seen.size, 2, 'the generated model is not degenerate');
}

/**
 * Runs `ids` and then six greedy steps in both sessions, each in its own cache: the logits agree
 * within `tolerance` at every step, and so do the greedy tokens. `oneByOne` feeds the prompt a
 * token at a time (int8: dynamic quantization scales activations per call).
 */
export async function expectSameSteps(a: ModelSession, b: ModelSession, ids: readonly number[], label: string, tolerance = 1e-4, oneByOne = false): Promise<void> {
  const [ca, cb] = [a.newCache(), b.newCache()];
  let la: Float32Array | undefined;
  let lb: Float32Array | undefined;
  for (const chunk of oneByOne ? ids.map((id) => [id]) : [ids]) [la, lb] = [await a.forward(chunk, ca), await b.forward(chunk, cb)];
  for (let i = 0; i < 6; i++) {
    const diff = maxAbsDiff(la!, lb!);
    assert.ok(diff < tolerance, `${label} step ${i}: max |diff| ${diff}`);
    assert.equal(argmax(la!), argmax(lb!), `${label} step ${i}: the same greedy token`);
    const next = argmax(lb!);
    [la, lb] = [await a.forward([next], ca), await b.forward([next], cb)];
  }
  assert.deepEqual(ca.tokens, cb.tokens);
}

/** The folder's int8 file prepared against the same file unprepared, step by step on `ids`. */
export async function expectPreparedInt8LikeOriginal(dir: string, ids: readonly number[]): Promise<void> {
  const folder = await resolveModelFolder(dir, 'quantized');
  const prepared = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir: preparedCacheDir() });
  const int8 = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { prepare: false });
  try {
    assert.equal(prepared.prepared, true, prepared.prepareNote);
    // One token at a time: dynamic quantization scales activations per call.
    await expectSameSteps(prepared, int8, ids, 'int8', 1e-3, true);
  } finally {
    await prepared.release();
    await int8.release();
  }
}

/** The cached path's logits at every step of a greedy completion, against recomputation from scratch. */
export async function expectCachedEqualsRecomputation(engine: InferenceEngine, session: ModelSession, prompt: string): Promise<void> {
  const result = await engine.complete(snap(prompt), options({ maxNewTokens: 6 }));
  const generated = result.completions[0].tokenIds;
  const cache = session.newCache();
  // The engine masks the rows the tokenizer cannot decode; the session's logits get the same.
  const masked = decodableOnly(session, engine.decodableRows);
  let logits = await masked.forward(result.promptTokenIds, cache);
  for (let i = 0; i <= generated.length; i++) {
    const reference = await engine.logitsWithoutCache([...result.promptTokenIds, ...generated.slice(0, i)]);
    const diff = maxAbsDiff(logits, reference);
    assert.ok(diff < 1e-4, `${JSON.stringify(prompt)} step ${i}: max |diff| ${diff}`);
    if (i < generated.length) logits = await masked.forward([generated[i]], cache);
  }
}

/** The engine on a model folder, its prepared session and the original graph's, for comparing them. */
export async function engineAndSessions(dir: string): Promise<{ engine: InferenceEngine; session: ModelSession; original: ModelSession; release(): Promise<void> }> {
  const engine = await loadEngine(dir);
  const folder = await resolveModelFolder(dir, 'fp32');
  const session = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir: preparedCacheDir() });
  const original = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { prepare: false });
  return { engine, session, original, release: async () => void (await Promise.all([engine.release(), session.release(), original.release()])) };
}
