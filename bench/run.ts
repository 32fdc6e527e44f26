// `npm run bench`: builds, then measures our engine through the extension's own path
// (EngineClient, CompletionService) against transformers.js on the same generated model, prints a
// table and writes bench/results/latest.json. `--quick`: the tiny model, fewer reps (< 1 min);
// `--qwen2`: Qwen2.5-Coder-0.5B's shapes, bench/results/qwen2-0.5b.json.
//   node out/bench/run.js [--quick | --qwen2] [--no-peer] [--variant fp32|int8]
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ensureModel, findRepoRoot } from '../scripts/model/generate';
import { DEFAULTS, type ModelFile } from '../src/core/config';
import { loadTokenizer } from '../src/core/tokenizer';
import { measureBandwidth, type BandwidthResult } from './bandwidth';
import { BenchLog } from './client';
import { FULL, QUICK, QWEN2, type BenchConfig } from './config';
import { PromptMaker, promptCorpus, replayFiles } from './corpus';
import { int8Agreement, type Int8AgreementResult } from './int8Agreement';
import { runPeer } from './peerRunner';
import type { PeerJob } from './peerProtocol';
import { peerJob, ratios, summarizeOurs, summarizePeer, type OursSummary, type PeerSummary } from './results';
import { stageBundles } from './staging';
import { round } from './stats';
import { renderTable } from './table';
import { benchOurs, prefillTokens } from './variantBench';
import { printRemoteLatency } from './remoteLatencyReport';

interface NotRun {
  readonly status: 'skipped' | 'failed';
  readonly reason: string;
}

export type VariantResult = (OursSummary & { peer: PeerSummary | NotRun; ratios: ReturnType<typeof ratios> }) | (NotRun & { modelFile: string });

export interface BenchResults {
  readonly schema: 1;
  readonly mode: BenchConfig['mode'];
  readonly machine: Record<string, unknown>;
  readonly model: Record<string, unknown>;
  readonly config: Record<string, unknown> & { sizes: readonly number[] };
  readonly corpus: Record<string, unknown>;
  readonly variants: { fp32: VariantResult; int8: VariantResult };
  readonly int8Agreement: Int8AgreementResult | NotRun;
  readonly notes: readonly string[];
  readonly durationS: number | null;
}

const VARIANTS: readonly { key: 'fp32' | 'int8'; modelFile: ModelFile; dtype: PeerJob['dtype']; onnx: string }[] = [
  { key: 'fp32', modelFile: 'fp32', dtype: 'fp32', onnx: 'model.onnx' },
  { key: 'int8', modelFile: 'quantized', dtype: 'q8', onnx: 'model_quantized.onnx' },
];

function packageVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The graph file and its external data, when it has any. */
function weightBytes(onnx: string): number {
  return [onnx, `${onnx}_data`, `${onnx}.data`].filter(existsSync).reduce((n, f) => n + statSync(f).size, 0);
}

const roundProbe = (b: BandwidthResult) => ({ ...b, gbPerS: round(b.gbPerS, 2), probes: Object.fromEntries(Object.entries(b.probes).map(([k, x]) => [k, round(x, 2)])) });

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log('usage: node out/bench/run.js [--quick | --qwen2] [--no-peer] [--variant fp32|int8]   (npm run bench [-- --quick])');
    return;
  }
  const cfg = args.includes('--quick') ? QUICK : args.includes('--qwen2') ? QWEN2 : FULL;
  const root = findRepoRoot();
  const started = performance.now();
  const logDir = join(root, '.cache', 'bench');
  mkdirSync(logDir, { recursive: true });
  const log = new BenchLog(logDir);
  const say = (s: string) => {
    const line = `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`;
    console.log(line);
    log.line(line);
  };
  say(`ghostwriter bench (${cfg.mode}): model ${cfg.modelName}, log in ${relative(root, log.path)}`);
  const staged = stageBundles(root);
  try {
    await benchAll(cfg, args, root, staged.dir, log, say, started);
  } finally {
    staged.cleanup();
    await log.close();
  }
}

async function benchAll(cfg: BenchConfig, args: string[], root: string, runtime: string, log: BenchLog, say: (s: string) => void, started: number): Promise<void> {
  const onlyVariant = args.includes('--variant') ? args[args.indexOf('--variant') + 1] : undefined;

  const modelDir = await ensureModel(cfg.modelName, cfg.model);
  const tokenizer = await loadTokenizer(modelDir);
  const modelConfig = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { n_positions?: number; max_position_embeddings?: number; eos_token_id?: number };
  // GPT-2's n_positions; the llama family's max_position_embeddings (Qwen2.5: 32768, so the sizes bound the prompts).
  const nPositions = modelConfig.n_positions ?? modelConfig.max_position_embeddings ?? 1024;
  say(`model folder ${relative(root, modelDir)}`);

  // Probed at the start and at the end: a neighbour busy with memory for a while shows as a gap.
  const probeBandwidth = async (when: string) => {
    const b = await measureBandwidth(cfg.bandwidthMb, cfg.bandwidthReps);
    const gb = (x: number) => x.toFixed(1);
    const pr = b.probes;
    say(`memory read bandwidth (${when}): ${gb(b.gbPerS)} GB/s (1 thread: sum ${gb(pr.sumF64)}, scan ${gb(pr.scan)}; ${b.threads} threads: sum ${gb(pr.sumF64AllThreads)}, scan ${gb(pr.scanAllThreads)})`);
    return b;
  };
  const bandwidthAtStart = await probeBandwidth('start');

  const corpus = promptCorpus(root);
  const { files, missing } = replayFiles(root);
  if (files.length === 0) throw new Error('no source files for the replay were found');
  if (missing.length > 0) say(`no ${missing.join(', ')} file found for the replay; replaying ${files.length} files`);

  const variants: Partial<Record<'fp32' | 'int8', VariantResult>> = {};
  /** Summaries wait for the last bandwidth probe (the floor needs it). */
  const finish: ((bandwidthGBs: number) => void)[] = [];
  for (const [index, v] of VARIANTS.entries()) {
    const onnx = join(modelDir, 'onnx', v.onnx);
    if (onlyVariant && onlyVariant !== v.key) {
      variants[v.key] = { status: 'skipped', reason: `--variant ${onlyVariant}`, modelFile: v.modelFile };
      continue;
    }
    if (!existsSync(onnx)) {
      variants[v.key] = { status: 'skipped', reason: `${relative(root, onnx)} does not exist (the model generator did not write it)`, modelFile: v.modelFile };
      say(`${v.key}: skipped, no ${v.onnx}`);
      continue;
    }
    say(`${v.key}: ours (${v.onnx})`);
    // Each variant cuts its prompts from its own part of the corpus.
    const prompts = new PromptMaker(corpus, tokenizer, 0.05 + 0.45 * index);
    const ctx = { root: runtime, logger: log.logger, modelDir, modelFile: v.modelFile };
    let raw: Awaited<ReturnType<typeof benchOurs>>;
    try {
      raw = await benchOurs(ctx, cfg, nPositions, prompts, files, log, (s) => say(`${v.key}: ${s}`));
    } catch (err) {
      variants[v.key] = { status: 'failed', reason: describe(err), modelFile: v.modelFile };
      say(`${v.key}: FAILED: ${describe(err)}`);
      continue;
    }
    let peer: PeerSummary | NotRun;
    if (args.includes('--no-peer')) {
      peer = { status: 'skipped', reason: '--no-peer' };
    } else {
      say(`${v.key}: peer (transformers.js, dtype ${v.dtype})`);
      try {
        const warmups = Object.fromEntries(cfg.sizes.map((s) => [s, prompts.exact(prefillTokens(s, nPositions)).text]));
        const job = peerJob(raw, cfg, modelDir, v.dtype, warmups, (ids) => tokenizer.decode(ids));
        const result = await runPeer(runtime, job, log, cfg.peerTimeoutMs);
        peer = summarizePeer(result, raw, cfg, tokenizer.eosTokenId ?? modelConfig.eos_token_id);
        const g = peer.greedyAgreement;
        say(`${v.key}: peer done; greedy tokens agree on ${g.identical}/${g.sequences} prompts, tokenizer on ${peer.tokenizerAgreement.identical}/${peer.tokenizerAgreement.prompts}`);
        if (!g.agree) {
          const m = g.firstMismatch;
          const where = m ? ` (first at ${m.size} tokens, rep ${m.rep}, new token ${m.index}: ours ${m.ours}, peer ${m.peer})` : '';
          const warning = `WARNING: ${v.key} greedy tokens differ from transformers.js on ${g.sequences - g.identical} of ${g.sequences} prompts${where}`;
          if (v.key === 'fp32') console.warn(`\n*** ${warning} ***\n`);
          else say(`${v.key}: ${warning} (dynamic int8 quantization scales activations per tensor, so graphs that differ, say in how many positions reach the head, round differently)`);
          log.line(warning);
        }
      } catch (err) {
        peer = { status: 'failed', reason: describe(err) };
        say(`${v.key}: peer FAILED: ${describe(err)}`);
      }
    }
    const peerDone = peer;
    finish.push((bandwidthGBs) => {
      const ours = summarizeOurs(raw, cfg, weightBytes(onnx), bandwidthGBs);
      variants[v.key] = { ...ours, peer: peerDone, ratios: ratios(ours, peerDone.status === 'ok' ? peerDone : undefined, cfg) };
    });
  }
  const agreement = await measureInt8Agreement(cfg, say);
  const bandwidthAtEnd = await probeBandwidth('end');
  const bandwidth = bandwidthAtStart.gbPerS >= bandwidthAtEnd.gbPerS ? bandwidthAtStart : bandwidthAtEnd;
  for (const f of finish) f(bandwidth.gbPerS);

  const results: BenchResults = {
    schema: 1,
    mode: cfg.mode,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryBandwidthGBs: round(bandwidth.gbPerS, 2),
      bandwidthProbe: { start: roundProbe(bandwidthAtStart), end: roundProbe(bandwidthAtEnd) },
      node: process.version,
      ortVersion: packageVersion(root, 'onnxruntime-node'),
      platform: `${process.platform}-${process.arch}`,
      date: new Date().toISOString(),
    },
    model: { name: cfg.modelName, ...cfg.model, folder: relative(root, modelDir), tokenizer: 'GPT-2 byte-level BPE (generated folder)' },
    config: {
      sizes: cfg.sizes,
      decodeNewTokens: cfg.decodeNewTokens,
      reps: cfg.reps,
      loadReps: cfg.loadReps,
      budgetMs: cfg.budgetMs,
      replay: cfg.replay,
      executionProvider: 'cpu',
    },
    corpus: { prompts: corpus.path, replay: files.map((f) => f.path), ...(missing.length ? { missingLanguages: missing } : {}) },
    variants: {
      fp32: variants.fp32 ?? { status: 'skipped', reason: 'not run', modelFile: 'fp32' },
      int8: variants.int8 ?? { status: 'skipped', reason: 'not run', modelFile: 'quantized' },
    },
    int8Agreement: agreement,
    notes: notes(cfg, nPositions),
    durationS: round((performance.now() - started) / 1000, 0),
  };
  const out = join(root, cfg.output);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${renderTable(results)}\n`);
  // Issue 15: the first suggestion after an edit through a completion server, next to the local one (a figure; --no-remote skips it).
  if (!args.includes('--no-remote')) await printRemoteLatency(root, modelDir, files, cfg.mode === 'quick' ? 3 : 10, say);
  say(`wrote ${cfg.output}`);
}

async function measureInt8Agreement(cfg: BenchConfig, say: (s: string) => void): Promise<Int8AgreementResult | NotRun> {
  if (cfg.int8AgreementPrompts === 0) return { status: 'skipped', reason: `not measured in the ${cfg.mode} run` };
  try {
    const agreement = await int8Agreement(cfg.model, cfg.modelName, { prompts: cfg.int8AgreementPrompts, promptTokens: 128, newTokens: cfg.decodeNewTokens });
    const show = (a: Int8AgreementResult['reduced']) => `top-1 ${a.top1Agreeing}/${a.steps} steps, logits off by ${a.medianRelativeError} (median), ${a.tokensAgreeing} tokens before the first difference`;
    say(`int8 vs fp32 greedy tokens (${agreement.int8Kernel}): ±64 weights ${show(agreement.reduced)}; ±127 weights ${show(agreement.full)}`);
    return agreement;
  } catch (err) {
    say(`int8 agreement FAILED: ${describe(err)}`);
    return { status: 'failed', reason: describe(err) };
  }
}

function notes(cfg: BenchConfig, nPositions: number): string[] {
  const [small, mid, big] = cfg.sizes;
  return [
    'Times are medians of the reps (p95 siblings beside them), ms; CPU execution provider; 2 noisy cores: read them as figures, not pass/fail.',
    'Ours is measured through the extension\'s own path: EngineClient forking dist/inference.js (load, prefill, decode) and CompletionService (first suggestion, replay).',
    'loadMs: wall time of EngineClient.load() from the extension side, process start included; cold = fresh process and a fresh empty cacheDir, warm = another fresh process on the same cacheDir. loadMsInProcess is ModelInfo.loadMs.',
    `prefillMs["N"]: timings.prefillMs of a prompt of exactly N tokens (maxNewTokens 1, cache "cold", a part of the corpus no other prompt used); "${big}" is ${prefillTokens(big, nPositions)} tokens, since n_positions ${nPositions} leaves room for the one new token. One warm-up run per size is not counted. Run as CompletionService runs it after a pause (prefillFor('paused'): chunks of 512 tokens; results before 2026-12-08 used the engine's default 128-token chunks here). prefillTypingMs["${mid}"]: the same size in the runs the service asks for while typing (prefillFor('typing'): 64 tokens first, doubling while a run stays within the default debounce).`,
    `decodeMsPerToken["N"]: a prompt of N − ${cfg.decodeNewTokens} tokens, ${cfg.decodeNewTokens} greedy new tokens (temperature 0, no newline stop), timings.decodeMs / (newTokens − 1): the first new token comes from the prefill's logits, each later one costs one decode step. The peer's: (time of the last token − time of the first) / (tokens − 1), from a streamer.`,
    'firstSuggestionMs: CompletionService.complete with the extension\'s default settings but debounceMs 0; cold = an 80-line snippet never seen before (cursor mid-way in its last line), afterEdit = the same document with the next real character typed at the cursor. No cache "cold" option here: afterEdit may use what cold left.',
    'replay: one TypeScript, one JavaScript and one Python file the project did not write, each typed from a region start at 60–120 ms a key with seeded 0.5–1.5 s pauses (Enter inserts the next line\'s indentation); every key is a CompletionService request with the default debounce whose signal aborts at the next key. p50Ms/p95Ms: request to answer, answered requests only. cachedPromptShare: sum of timings.cachedTokens / sum of prompt tokens over the engine requests that completed. lookAheadHits: answers with source "typed-ahead".',
    'eventLoopMaxStallMs: the largest event-loop delay of the bench process (the extension side) during the replay, perf_hooks.monitorEventLoopDelay({resolution: 1}).',
    'peakRssMb: VmHWM of the replay\'s inference process (load included), /proc/<pid>/status; MB = 2^20 bytes.',
    `floorMsPerToken: the ONNX file size (the weights) / the memory read bandwidth measured in this run (the best of four probes over one ${cfg.bandwidthMb} MiB buffer, ${cfg.bandwidthReps} reps each, best rep: a Float64Array summed with four accumulators, and Buffer#indexOf of a byte it does not hold (memchr), each on one thread and on one worker per CPU over its own slice at once; probed at the start and the end of the run, the better one used; machine.bandwidthProbe has each). floorMultiple: decode ms/token at ${small} and ${big} over it.`,
    `peer: @huggingface/transformers in its own process, offline (env.allowRemoteModels false, localModelPath = the model's parent folder), AutoTokenizer + AutoModelForCausalLM dtype fp32 (onnx/model.onnx) or q8 (onnx/model_quantized.onnx), device cpu, its default session options; the same prompt texts as ours, greedy (do_sample false) for prefill and decode. Its prefill: the first token's time less its tokenizing (a generate of 1 token). firstSuggestionMs.cold: tokenize + generate of ${DEFAULTS.maxNewTokens} new tokens (or to EOS) on the prompt our engine cut from the same snippet, sampled with the extension's defaults (temperature ${DEFAULTS.temperature}, top_k ${DEFAULTS.topK}, top_p ${DEFAULTS.topP}) as ours is; firstSuggestionAtOurTokensMs: the time it had as many new tokens as ours produced. It keeps no state between calls, so it has no afterEdit figure.`,
    `ratios: ours / peer for prefill ${mid}, decode ${big} and first suggestion cold; afterEditOverCold is ours afterEdit / cold.`,
    'greedyAgreement: our greedy decode tokens vs the peer\'s on the same prompts (fp32 must agree; a difference is printed as a warning).',
    `int8Agreement: our greedy tokens of the int8 file vs the fp32 file on the same ${cfg.int8AgreementPrompts} prompts of 128 tokens, ${cfg.decodeNewTokens} new tokens each, in process (bench/int8Agreement.ts): fp32 decodes greedily and each int8 file is fed fp32's tokens; "reduced" is the generator's file (weights within ±64), "full" the same weights quantized over ±127 (as the generator wrote them before version 5); int8Kernel says which int8 sums this CPU has (with saturating ones the engine rescales a ±127 file to ±64). top1Agreeing: steps whose int8 argmax is fp32's token; medianRelativeError: of the logits; identical / tokensAgreeing: prompts, and tokens, that free-running greedy decoding would share with fp32 before the first difference.`,
  ];
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
