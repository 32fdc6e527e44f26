// The generation loop: forward -> logits processors -> sample -> stopping criteria, one token a step.
import { processorsFor, type SamplingParams } from './processors';
import type { Rng } from './rng';
import { samplerFor } from './sampler';
import { firstStop, type Stop, type StopReason, type StoppingCriterion } from './stopping';
import type { KvCache } from './kvCache';

/** What the loop needs of a model: ModelSession, or a fake in tests. */
export interface StepModel {
  forward(ids: readonly number[], cache: KvCache): Promise<{ logits: Float32Array; cache: KvCache }>;
  emptyCache(): KvCache;
  readonly maxPositions: number;
}

export interface Prefill {
  readonly logits: Float32Array;
  readonly cache: KvCache;
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
}

export interface Generation {
  readonly tokenIds: number[];
  readonly text: string;
  readonly stopReason: StopReason;
  readonly decodeMs: number;
}

/** Runs the prompt once; several continuations can start from the result. */
export async function prefill(model: StepModel, promptIds: readonly number[]): Promise<Prefill> {
  return model.forward(promptIds, model.emptyCache());
}

export async function generate(model: StepModel, start: Prefill, opts: GenerateOptions): Promise<Generation> {
  const now = opts.now ?? Date.now;
  const startedAt = opts.startedAt ?? now();
  const t0 = now();
  const processors = processorsFor(opts.params);
  const sample = samplerFor(opts.params.temperature, opts.rng);
  const newIds: number[] = [];
  let { logits, cache } = start;
  let text = '';
  for (;;) {
    // 1. Shape the distribution: penalty over everything seen (the cache holds exactly the
    //    tokens these logits follow), then temperature / top-k / top-p.
    const processed = processors.reduce((l, p) => p(cache.tokens, l), logits);
    // 2. Pick the next token.
    newIds.push(sample(processed));
    text = opts.decode(newIds);
    // 3. Stop? Abort first: a cancelled request is not worth another step.
    const stop = opts.signal?.aborted
      ? { reason: 'aborted' as const }
      : (firstStop(opts.stopping, { newIds, text, elapsedMs: now() - startedAt }) ??
        // Feeding the sampled token back needs one more position.
        (cache.tokens.length + 1 > model.maxPositions ? { reason: 'context-full' as const } : undefined));
    if (stop) return { ...finish(stop, newIds, text, opts.decode), stopReason: stop.reason, decodeMs: now() - t0 };
    // 4. Feed the token back; the cache grows by one position.
    ({ logits, cache } = await model.forward([newIds[newIds.length - 1]], cache));
  }
}

/** The result's tokens and text: without a dropped EOS, cut where the criterion said, keeping the tokens the cut text needs. */
function finish(stop: Stop, newIds: number[], text: string, decode: (ids: readonly number[]) => string): { tokenIds: number[]; text: string } {
  const ids = stop.dropLastToken ? newIds.slice(0, -1) : newIds;
  const full = ids === newIds ? text : decode(ids);
  if (stop.cutAt === undefined) return { tokenIds: ids, text: full };
  let n = ids.length;
  while (n > 0 && decode(ids.slice(0, n - 1)).length >= stop.cutAt) n--;
  return { tokenIds: ids.slice(0, n), text: full.slice(0, stop.cutAt) };
}
