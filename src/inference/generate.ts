// The generation loop: forward -> logits processors -> sample -> stopping criteria, one token a step.
import { processorsFor, type SamplingParams } from './processors';
import type { Rng } from './rng';
import { samplerFor } from './sampler';
import { firstStop, type Stop, type StopReason, type StoppingCriterion } from './stopping';

/** What the loop needs of a cache: the tokens its state holds. SequenceCache, or a fake in tests. */
export interface TokenCache {
  readonly tokens: readonly number[];
  readonly length: number;
}

/** What the loop needs of a model: ModelSession, or a fake in tests. forward() grows the cache. */
export interface StepModel<C extends TokenCache = TokenCache> {
  forward(ids: readonly number[], cache: C): Promise<Float32Array>;
  readonly maxPositions: number;
}

export interface GenerateOptions {
  readonly params: SamplingParams;
  readonly stopping: readonly StoppingCriterion[];
  readonly rng: Rng;
  readonly decode: (ids: readonly number[]) => string;
  readonly signal?: AbortSignal;
  /** Clock for the deadline, ms; injectable for tests. */
  readonly now?: () => number;
  readonly startedAt?: number;
  /** Called after each sampled token with the count so far and the token (tests wait on it instead of on the clock). */
  readonly onToken?: (count: number, id: number) => void;
}

export interface Generation {
  readonly tokenIds: number[];
  readonly text: string;
  readonly stopReason: StopReason;
  readonly decodeMs: number;
  /** Every sampled token, also those a stop cut off; the cache holds all but the last. */
  readonly sampled: readonly number[];
  /** The last sampled token, which the cache does not hold yet (the loop stops before feeding it). */
  readonly pending: number | undefined;
  /** Per sampled token, its log-probability under the model (the logits before any processor: temperature, penalty and top-k/p aside). */
  readonly logprobs: readonly number[];
}

/** Prompt tokens per forward: each chunk is one abort point, and the next request waits at most one. */
export const PREFILL_CHUNK = 128;

/**
 * How a prefill cuts the prompt into model runs. `chunk` tokens first; with `runMs`, each next
 * chunk doubles (up to `maxChunk`) while the last run's time per token says the doubled one still
 * ends within `runMs`: a prompt a keystroke may supersede starts in small, quickly abortable runs
 * and moves to larger, cheaper ones (a 512-token run costs about two thirds of eight 64-token runs)
 * as long as each stays within the wait a superseding request has anyway.
 */
export interface PrefillPlan {
  readonly chunk: number;
  readonly runMs?: number;
  readonly maxChunk?: number;
}

/** The next run's chunk after one of `ran` tokens took `ms`. */
export function nextChunk(plan: PrefillPlan, current: number, ran: number, ms: number): number {
  if (plan.runMs === undefined || ran < current) return current;
  const doubled = Math.min(plan.maxChunk ?? current, current * 2);
  return doubled > current && (ms / ran) * doubled <= plan.runMs ? doubled : current;
}

/**
 * Runs `ids` after what the cache holds, in chunks so an abort takes hold between them. Returns
 * the last position's logits, or undefined when aborted (the chunks already run stay cached).
 */
export async function prefill<C extends TokenCache>(
  model: StepModel<C>,
  cache: C,
  ids: readonly number[],
  signal?: AbortSignal,
  plan: PrefillPlan = { chunk: PREFILL_CHUNK },
  now: () => number = () => performance.now(),
): Promise<Float32Array | undefined> {
  let logits: Float32Array | undefined;
  let chunk = plan.chunk;
  for (let at = 0; at < ids.length; ) {
    if (signal?.aborted) return undefined;
    const part = ids.slice(at, at + chunk);
    const t0 = now();
    logits = await model.forward(part, cache);
    at += part.length;
    chunk = nextChunk(plan, chunk, part.length, now() - t0);
  }
  return logits;
}

export async function generate<C extends TokenCache>(model: StepModel<C>, cache: C, start: Float32Array, opts: GenerateOptions): Promise<Generation> {
  const now = opts.now ?? Date.now;
  const startedAt = opts.startedAt ?? now();
  const t0 = now();
  const processors = processorsFor(opts.params);
  const sample = samplerFor(opts.params.temperature, opts.rng);
  const newIds: number[] = [];
  const logprobs: number[] = [];
  let logits = start;
  let text = '';
  for (;;) {
    // 1. Shape the distribution: penalty over everything seen (the cache holds exactly the
    //    tokens these logits follow), then temperature / top-k / top-p.
    const processed = processors.reduce((l, p) => p(cache.tokens, l), logits);
    // 2. Pick the next token.
    newIds.push(sample(processed));
    logprobs.push(logProbability(logits, newIds[newIds.length - 1]));
    text = opts.decode(newIds);
    opts.onToken?.(newIds.length, newIds[newIds.length - 1]);
    // 3. Stop? Abort first: a cancelled request is not worth another step.
    const stop = opts.signal?.aborted
      ? { reason: 'aborted' as const }
      : (firstStop(opts.stopping, { newIds, text, elapsedMs: now() - startedAt }) ??
        // Feeding the sampled token back needs one more position.
        (cache.length + 1 > model.maxPositions ? { reason: 'context-full' as const } : undefined));
    if (stop) return { ...finish(stop, newIds, text, opts.decode), stopReason: stop.reason, decodeMs: now() - t0, sampled: newIds, pending: newIds[newIds.length - 1], logprobs };
    // 4. Feed the token back; the cache grows by one position.
    logits = await model.forward([newIds[newIds.length - 1]], cache);
  }
}

/** log softmax(logits)[id]: one pass for the maximum, one for the sum. */
export function logProbability(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(sum);
}

/** The mean of the first `n` log-probabilities (the tokens a completion kept), or undefined for none. */
export function meanLogprob(logprobs: readonly number[], n: number): number | undefined {
  if (n <= 0) return undefined;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += logprobs[i];
  return sum / n;
}

/** The result's tokens and text: without a dropped EOS, cut where the criterion said, keeping the tokens the cut text needs. */
function finish(stop: Stop, newIds: number[], text: string, decode: (ids: readonly number[]) => string): { tokenIds: number[]; text: string } {
  const ids = stop.dropLastToken ? newIds.slice(0, -1) : newIds;
  const full = ids === newIds ? text : decode(ids);
  if (stop.cutAt === undefined) return { tokenIds: ids, text: full };
  let n = ids.length;
  // (No tokens decode to '': tokenizers refuse an empty list.)
  while (n > 0 && (n === 1 ? 0 : decode(ids.slice(0, n - 1)).length) >= stop.cutAt) n--;
  return { tokenIds: ids.slice(0, n), text: full.slice(0, stop.cutAt) };
}
