// Greedy tokens of the int8 files against fp32's, on the same prompts: the generator's ±64 file
// and a ±127 one (what the generator wrote before: the same seed and quantization, the full range).
// fp32 decodes greedily; each int8 file is then fed fp32's tokens (teacher forcing), so every
// step compares the two on the same text: top-1 agreement per step, the logits' relative error,
// and the tokens free-running greedy decoding would share before the first difference. In
// process, through ModelSession (the engine's prepared graph, int8 weights fitted to the CPU).
// Alone: bench/int8AgreementCli.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureModel, findRepoRoot, type GenerateOptions } from '../scripts/model/generate';
import type { ModelFile } from '../src/core/config';
import { silentLogger } from '../src/core/logger';
import { loadTokenizer } from '../src/core/tokenizer';
import { readCpuFeatures } from '../src/inference/cpuFeatures';
import { int8KernelOf, type Int8Kernel } from '../src/inference/int8Kernel';
import { resolveModelFolder } from '../src/inference/model';
import { ModelSession } from '../src/inference/session';
import { PromptMaker, promptCorpus } from './corpus';
import { median, round } from './stats';
import { relativeError } from '../test/unit/modelChecks';

export interface Agreement {
  /** Steps compared: prompts × new tokens. */
  readonly steps: number;
  /** Steps whose int8 argmax is fp32's token. */
  readonly top1Agreeing: number;
  /** ‖int8 − fp32‖ / ‖fp32‖ of the logits, median over the steps. */
  readonly medianRelativeError: number | null;
  /** Prompts whose greedy tokens would all equal fp32's. */
  readonly identical: number;
  /** Tokens equal to fp32's before the first difference, summed over prompts. */
  readonly tokensAgreeing: number;
}

export interface Int8AgreementResult {
  readonly int8Kernel: string;
  readonly prompts: number;
  readonly promptTokens: number;
  readonly newTokens: number;
  /** The generator's int8 file (weights within ±64). */
  readonly reduced: Agreement;
  /** The same weights quantized over ±127, as GENERATOR_VERSION 4 wrote them. */
  readonly full: Agreement;
}

interface Run {
  readonly tokens: number[];
  readonly logits: Float32Array[];
}

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}


/** The logits before each new token; greedy when `forced` is undefined, else fed `forced`. */
async function decode(session: ModelSession, prompt: readonly number[], newTokens: number, forced?: readonly number[]): Promise<Run> {
  const cache = session.newCache();
  const run: Run = { tokens: [], logits: [] };
  let logits = await session.forward(prompt, cache);
  for (let k = 0; k < newTokens; k++) {
    run.logits.push(logits);
    const next = forced ? forced[k] : argmax(logits);
    run.tokens.push(next);
    if (k + 1 < newTokens) logits = await session.forward([next], cache);
  }
  return run;
}

async function runFile(modelDir: string, modelFile: ModelFile, int8: Int8Kernel, cacheDir: string, prompts: readonly number[][], newTokens: number, forced?: readonly Run[]): Promise<Run[]> {
  const folder = await resolveModelFolder(modelDir, modelFile);
  const session = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir, int8 });
  try {
    const runs: Run[] = [];
    for (const [p, prompt] of prompts.entries()) runs.push(await decode(session, prompt, newTokens, forced?.[p].tokens));
    return runs;
  } finally {
    await session.release();
  }
}

function agreement(fp32: readonly Run[], int8: readonly Run[]): Agreement {
  let [steps, top1Agreeing, identical, tokensAgreeing] = [0, 0, 0, 0];
  const errors: number[] = [];
  fp32.forEach((ref, p) => {
    let prefix = true;
    ref.tokens.forEach((token, k) => {
      const same = argmax(int8[p].logits[k]) === token;
      steps++;
      if (same) top1Agreeing++;
      prefix &&= same;
      if (prefix) tokensAgreeing++;
      errors.push(relativeError(int8[p].logits[k], ref.logits[k]));
    });
    if (prefix) identical++;
  });
  return { steps, top1Agreeing, medianRelativeError: round(median(errors), 4), identical, tokensAgreeing };
}

export async function int8Agreement(model: GenerateOptions, modelName: string, opts: { prompts: number; promptTokens: number; newTokens: number; int8?: Int8Kernel }): Promise<Int8AgreementResult> {
  const root = findRepoRoot();
  const reducedDir = await ensureModel(modelName, model);
  const fullDir = await ensureModel(`${modelName}-int8-full`, { ...model, int8Range: 'full' });
  const tokenizer = await loadTokenizer(reducedDir);
  const maker = new PromptMaker(promptCorpus(root), tokenizer, 0.92);
  const prompts = Array.from({ length: opts.prompts }, () => maker.exact(opts.promptTokens).ids);
  const int8 = opts.int8 ?? int8KernelOf(await readCpuFeatures());
  const cacheDir = join(root, '.cache', 'bench', 'int8-agreement-prepared');
  mkdirSync(cacheDir, { recursive: true });
  const fp32 = await runFile(reducedDir, 'fp32', int8, cacheDir, prompts, opts.newTokens);
  const int8Run = (dir: string) => runFile(dir, 'quantized', int8, cacheDir, prompts, opts.newTokens, fp32);
  return {
    int8Kernel: int8.why,
    prompts: prompts.length,
    promptTokens: opts.promptTokens,
    newTokens: opts.newTokens,
    reduced: agreement(fp32, await int8Run(reducedDir)),
    full: agreement(fp32, await int8Run(fullDir)),
  };
}
