// Greedy tokens of the int8 files against fp32's, on the same prompts: the generator's ±64 file
// and a ±127 one (what the generator wrote before: the same seed and quantization, the full range).
// fp32 decodes greedily; each int8 file is then fed fp32's tokens (teacher forcing), so every
// step compares the two on the same text: top-1 agreement per step, the logits' relative error,
// and the tokens free-running greedy decoding would share before the first difference. In
// process, through ModelSession (the engine's prepared graph, int8 weights fitted to the CPU).
//   node out/bench/int8Agreement.js [--quick] [--prompts N] [--int8-kernel auto|saturating|exact]
// `--int8-kernel` tells the engine which int8 sums to fit (default: read from this CPU). Under
// `valgrind --tool=none node --jitless` ONNX Runtime runs the kernels of x86 CPUs without VNNI
// while /proc/cpuinfo still shows this CPU's flags, so say `--int8-kernel saturating` there; run
// once natively first, so the prepared graphs are in the cache and valgrind only decodes.
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
import { FULL, QUICK } from './config';
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

const KERNELS: Record<string, Int8Kernel> = {
  saturating: { saturates: true, why: 'told: int8 sums saturate at 16 bits (--int8-kernel saturating)' },
  exact: { saturates: false, why: 'told: int8 sums in 32 bits (--int8-kernel exact)' },
};

async function main(args: string[]): Promise<void> {
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const cfg = args.includes('--quick') ? QUICK : FULL;
  const kernel = flag('--int8-kernel') ?? 'auto';
  if (kernel !== 'auto' && !KERNELS[kernel]) throw new Error('--int8-kernel must be auto, saturating or exact');
  const result = await int8Agreement(cfg.model, cfg.modelName, { prompts: Number(flag('--prompts') ?? 8), promptTokens: 128, newTokens: cfg.decodeNewTokens, int8: KERNELS[kernel] });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
