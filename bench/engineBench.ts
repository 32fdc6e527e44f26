// Load, prefill and decode through EngineClient, the extension's own path to the inference process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelFile } from '../src/core/config';
import type { Logger } from '../src/core/logger';
import type { CompletionOptions, LoadOptions, ModelInfo } from '../src/core/protocol';
import { createSnapshot } from '../src/core/snapshot';
import { newClient, type ObservedEngineClient } from './client';
import type { PromptMaker } from './corpus';
import { waitForExit } from './procStats';
import { repeat } from './stats';

export interface LoadSample {
  /** Wall time of load() on the extension side: process start, model load, graph preparation. */
  readonly coldMs: number;
  readonly warmMs: number;
  /** ModelInfo.loadMs: the inference process's own count. */
  readonly coldEngineMs: number;
  readonly warmEngineMs: number;
  /** ModelInfo.msPerToken of each load: the engine's own decode probe, a gauge of how busy the machine was. */
  readonly coldMsPerToken?: number;
  readonly warmMsPerToken?: number;
}

export interface LoadBench {
  readonly samples: LoadSample[];
  readonly coldInfo: ModelInfo;
  readonly warmInfo: ModelInfo;
  /** The last warm-loaded client, kept for the prefill and decode runs. */
  readonly client: ObservedEngineClient;
}

export interface Ctx {
  /** Where dist/inference.js is (the staged copy of the build). */
  readonly root: string;
  readonly logger: Logger;
  readonly modelDir: string;
  readonly modelFile: ModelFile;
}

/** Each rep: a fresh process with an empty cacheDir (cold), then another fresh process with the same cacheDir (warm). */
export async function loadBench(ctx: Ctx, reps: number, budgetMs: number, cacheDirs: string[]): Promise<LoadBench> {
  let kept: { client: ObservedEngineClient; coldInfo: ModelInfo; warmInfo: ModelInfo } | undefined;
  const samples = await repeat(
    reps,
    async () => {
      const cacheDir = mkdtempSync(join(tmpdir(), 'ghostwriter-bench-cache-'));
      cacheDirs.push(cacheDir);
      const options: LoadOptions = { modelDir: ctx.modelDir, modelFile: ctx.modelFile, executionProvider: 'cpu', cacheDir };
      const cold = await timedLoad(ctx, options);
      await dispose(cold.client);
      const warm = await timedLoad(ctx, options);
      if (kept) await dispose(kept.client);
      kept = { client: warm.client, coldInfo: cold.info, warmInfo: warm.info };
      return {
        coldMs: cold.ms,
        warmMs: warm.ms,
        coldEngineMs: cold.info.loadMs,
        warmEngineMs: warm.info.loadMs,
        ...(cold.info.msPerToken !== undefined ? { coldMsPerToken: cold.info.msPerToken } : {}),
        ...(warm.info.msPerToken !== undefined ? { warmMsPerToken: warm.info.msPerToken } : {}),
      };
    },
    { budgetMs, minReps: 2 },
  );
  return { samples, ...kept! };
}

async function timedLoad(ctx: Ctx, options: LoadOptions): Promise<{ client: ObservedEngineClient; info: ModelInfo; ms: number }> {
  const client = newClient(ctx.root, ctx.logger);
  const t0 = performance.now();
  try {
    const info = await client.load(options);
    return { client, info, ms: performance.now() - t0 };
  } catch (err) {
    await dispose(client);
    throw err;
  }
}

export async function dispose(client: ObservedEngineClient): Promise<void> {
  const pid = client.pid;
  client.dispose();
  await waitForExit(pid);
}

/** Greedy, no stop but the token budget, no cache: the settings of every prefill and decode figure. */
function benchOptions(contextTokens: number, maxNewTokens: number, plan: PrefillRuns = {}): CompletionOptions {
  return {
    ...plan,
    temperature: 0,
    topK: 0,
    topP: 1,
    repetitionPenalty: 1,
    maxNewTokens,
    contextTokens,
    timeoutMs: 600_000,
    newline: 'none',
    numReturnSequences: 1,
    seed: 1,
    cache: 'cold',
  };
}

export interface RunSample {
  readonly promptTokens: number;
  readonly prefillMs: number;
  readonly decodeMs: number;
  readonly newTokens: number;
  readonly cachedTokens: number;
  /** complete() round trip on the extension side. */
  readonly wallMs: number;
  readonly promptText: string;
  readonly promptTokenIds: readonly number[];
  readonly tokenIds: readonly number[];
}

async function runOnce(client: ObservedEngineClient, text: string, contextTokens: number, maxNewTokens: number, label: string, plan: PrefillRuns = {}): Promise<RunSample> {
  const snapshot = createSnapshot({ prefix: text, suffix: '', languageId: 'javascript', path: `/bench/${label}.js`, version: 1 });
  const t0 = performance.now();
  const result = await client.complete(snapshot, benchOptions(contextTokens, maxNewTokens, plan), new AbortController().signal);
  const wallMs = performance.now() - t0;
  if (!result) throw new Error(`the engine gave no result for ${label} (see the log)`);
  const t = result.timings;
  return {
    promptTokens: result.promptTokenIds.length,
    prefillMs: t.prefillMs,
    decodeMs: t.decodeMs,
    newTokens: t.newTokens,
    cachedTokens: t.cachedTokens ?? 0,
    wallMs,
    promptText: text,
    promptTokenIds: result.promptTokenIds,
    tokenIds: result.completions[0]?.tokenIds ?? [],
  };
}

/** How a prefill cuts its prompt into model runs: CompletionService's plan for a pace (prefillFor). */
export type PrefillRuns = Pick<CompletionOptions, 'prefillChunk' | 'prefillRunMs'>;

/**
 * A prompt of `tokens` tokens (a fresh part of the corpus each rep), one new token, run as `plan`
 * says. The first run of each size is a warm-up (ONNX Runtime sizes its buffers), not counted.
 */
export async function prefillBench(client: ObservedEngineClient, prompts: PromptMaker, tokens: number, reps: number, budgetMs: number, plan: PrefillRuns): Promise<RunSample[]> {
  const label = `prefill-${tokens}-${plan.prefillChunk ?? 'default'}${plan.prefillRunMs ? '-grow' : ''}`;
  await runOnce(client, prompts.exact(tokens).text, tokens, 1, `${label}-warmup`, plan);
  return repeat(reps, (rep) => runOnce(client, prompts.exact(tokens).text, tokens, 1, `${label}-${rep}`, plan), { budgetMs });
}

/** A prompt of `cached` − newTokens tokens, then newTokens greedy tokens: decode runs with up to `cached` tokens in the cache. */
export async function decodeBench(
  client: ObservedEngineClient,
  prompts: PromptMaker,
  cached: number,
  newTokens: number,
  reps: number,
  budgetMs: number,
): Promise<RunSample[]> {
  return repeat(reps, (rep) => runOnce(client, prompts.exact(cached - newTokens).text, cached, newTokens, `decode-${cached}-${rep}`), { budgetMs });
}

/** ms per decode step: the first new token comes from the prefill's logits, each later one from one decode forward. */
export function msPerDecodeStep(sample: RunSample): number | undefined {
  return sample.newTokens >= 2 ? sample.decodeMs / (sample.newTokens - 1) : undefined;
}

export function removeDirs(dirs: string[]): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
