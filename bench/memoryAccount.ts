// Where the inference process's memory goes, stage by stage, per option, with what each option
// costs in speed: `node out/bench/memoryAccount.js [--model DIR] [--runs N] [--variant fp32|int8]
// [--only TEXT|TEXT…]` (default: the bench's generated GPT-2-small folder, 3 runs, both variants,
// every configuration; --only keeps the configurations whose name holds one of the TEXTs). Each run is a fresh process (memoryStages.ts): the
// engine's own load, then one request of a ~512-token prompt and 32 greedy tokens, with resident
// memory (VmRSS, anonymous and file-backed) and V8's heap, external memory and ArrayBuffers read
// as each stage ends, and the peak (VmHWM). The runs of every configuration alternate, so a busy
// neighbour slows them alike; memory does not depend on the CPU's speed, the times do (indicative
// only on a shared machine). A measurement, not a test: it prints the account and writes
// bench/results/memory-account.json.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel, findRepoRoot, GPT2_SMALL } from '../scripts/model/generate';
import { INFERENCE_EXEC_ARGV, inferenceEnv } from '../src/core/inferenceEnv';
import { forkForResult, replyOnce } from './childResult';
import { promptCorpus } from './corpus';
import { measureStages, type Reading, type StageJob, type StageRun } from './memoryStages';
import { median } from './stats';

interface Config {
  readonly name: string;
  readonly options?: StageJob['options'];
  readonly session?: Record<string, string>;
  /** Changes to the inference process's environment (inferenceEnv): null removes a variable. */
  readonly env?: Record<string, string | null>;
  /** Node's flags instead of the inference process's (INFERENCE_EXEC_ARGV). */
  readonly execArgv?: readonly string[];
  /** The graph is prepared in the measured process (its first load), not read from the cache. */
  readonly firstLoad?: boolean;
}

const CONFIGS: readonly Config[] = [
  { name: 'defaults (as shipped)' },
  { name: 'first load (graph prepared in the process)', firstLoad: true },
  { name: 'first load, the file\'s bytes left to V8 (no gc)', firstLoad: true, execArgv: INFERENCE_EXEC_ARGV.filter((a) => a !== '--expose-gc') },
  { name: 'Node\'s and glibc\'s defaults (before)', env: { MALLOC_MMAP_THRESHOLD_: null }, execArgv: ['--expose-gc'] },
  { name: 'glibc\'s adaptive mmap threshold', env: { MALLOC_MMAP_THRESHOLD_: null } },
  { name: 'V8\'s default young generation', execArgv: INFERENCE_EXEC_ARGV.filter((a) => !a.startsWith('--max-semi-space-size')) },
  { name: 'no memory arena', options: { enableCpuMemArena: false } },
  { name: 'no weight prepacking', session: { disable_prepacking: '1' } },
  { name: 'neither', options: { enableCpuMemArena: false }, session: { disable_prepacking: '1' } },
];

interface Job extends StageJob {
  readonly env?: Config['env'];
  readonly execArgv?: readonly string[];
}

/** The process as the extension forks it (forkInference), with the configuration's changes. */
function processEnv(changes: Config['env'] = {}): NodeJS.ProcessEnv {
  const env = inferenceEnv();
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  return env;
}

function run(job: Job): Promise<StageRun> {
  return forkForResult<StageRun>(__filename, ['--child', JSON.stringify(job)], { execArgv: [...(job.execArgv ?? INFERENCE_EXEC_ARGV)], env: processEnv(job.env) }, 'a memory run');
}

/** A stage's line of the account: its resident memory and what it added to the stage before. */
interface StageLine extends Reading {
  readonly deltaMb: number;
}

function lines(readings: readonly Reading[]): StageLine[] {
  return readings.map((r, i) => ({ ...r, deltaMb: i === 0 ? r.rssMb : r.rssMb - readings[i - 1].rssMb }));
}

/** The account as a table: each stage's delta, then what was resident for a while above the end (the peak minus the last reading); the deltas add up to the peak. */
function render(run: StageRun): string {
  const all = lines(run.readings);
  const last = all[all.length - 1];
  const rows = all.map((l) => `| ${l.stage} | ${l.deltaMb >= 0 ? '+' : ''}${l.deltaMb} | ${l.rssMb} (${l.anonMb} anon, ${l.fileMb} file) | ${l.hwmMb} | ${l.heapUsedMb} / ${l.externalMb} / ${l.arrayBuffersMb} |`);
  rows.push(`| transient, above the last reading | +${run.peakMb - last.rssMb} | peak ${run.peakMb} | ${run.peakMb} | |`);
  return ['| stage | Δ RSS MB | RSS MB | peak so far | V8 heap / external / ArrayBuffers MB |', '| --- | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const job = JSON.parse(args[1]) as Job;
    replyOnce(measureStages(job));
    return;
  }
  const root = findRepoRoot();
  const at = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const modelDir = at('--model') ?? (await ensureModel('gpt2-small', GPT2_SMALL));
  const runs = Number(at('--runs') ?? 3);
  // ~512 tokens of real JavaScript.
  const prompt = promptCorpus(root).text.slice(200_000, 202_000);
  // This run's own prepared-graph cache, so another process's loads never prune it in between.
  const cacheDir = join(root, '.cache', 'bench', 'memory-prepared');
  const base = { modelDir, cacheDir, prompt };
  const baseline = await run({ ...base, modelFile: 'none' });
  const baselineMb = baseline.readings[0].rssMb;
  console.log(`Node + onnxruntime-node, no model: ${baselineMb} MB resident`);
  const rows = [];
  const only = at('--only');
  const configs = CONFIGS.filter((c) => only === undefined || only.split('|').some((text) => c.name.includes(text)));
  const variants = ([['fp32', 'model.onnx'], ['int8', 'model_quantized.onnx']] as const).filter(([v]) => at('--variant') === undefined || v === at('--variant'));
  for (const [variant, file] of variants) {
    const fileMb = Math.round(statSync(join(modelDir, 'onnx', file)).size / 2 ** 20);
    const modelFile = variant === 'fp32' ? 'fp32' : 'quantized';
    // Fills the cache, so the other configurations' loads read the prepared graph.
    await run({ ...base, modelFile });
    const results: StageRun[][] = configs.map(() => []);
    for (let r = 0; r < runs; r++) {
      for (const [c, config] of configs.entries()) {
        const fresh = config.firstLoad ? mkdtempSync(join(tmpdir(), 'ghostwriter-memory-')) : undefined;
        try {
          results[c].push(await run({ ...base, modelFile, options: config.options, session: config.session, env: config.env, execArgv: config.execArgv, cacheDir: fresh ?? cacheDir }));
        } finally {
          if (fresh) rmSync(fresh, { recursive: true, force: true });
        }
      }
    }
    const limitMb = Math.round(1.3 * fileMb + 200);
    for (const [c, config] of configs.entries()) {
      const all = results[c];
      // The stage table is the run of the median peak, so its lines add up to a peak that was measured.
      const mid = [...all].sort((a, b) => a.peakMb - b.peakMb)[all.length >> 1];
      const loaded = mid.readings.find((x) => x.stage === 'KV pool set up');
      const row = {
        variant,
        config: config.name,
        fileMb,
        limitMb,
        rssAfterLoadMb: loaded?.rssMb,
        peakMb: mid.peakMb,
        prefillMs: median(all.map((x) => x.prefillMs ?? NaN)),
        decodeMsPerToken: median(all.map((x) => x.decodeMsPerToken ?? NaN)),
        promptTokens: mid.promptTokens,
        runs: all.map((x) => ({ peakMb: x.peakMb, rssAfterLoadMb: x.readings.find((y) => y.stage === 'KV pool set up')?.rssMb, prefillMs: x.prefillMs, decodeMsPerToken: x.decodeMsPerToken })),
        stages: lines(mid.readings),
        transientMb: mid.peakMb - mid.readings[mid.readings.length - 1].rssMb,
      };
      rows.push(row);
      console.log(
        `\n${variant} (${fileMb} MB file, limit ${limitMb} MB), ${config.name}: after load ${row.rssAfterLoadMb} MB, peak ${row.peakMb} MB (runs: ${all.map((x) => x.peakMb).join(', ')}); ` +
          `prefill ${row.promptTokens} tokens ${row.prefillMs.toFixed(0)} ms, decode ${row.decodeMsPerToken.toFixed(1)} ms/token (medians of ${all.length})`,
      );
      console.log(render(mid));
    }
  }
  const out = join(root, 'bench', 'results', 'memory-account.json');
  const note =
    'One fresh process per run: the engine load, then one request of ~512 prompt tokens and 32 greedy tokens (CPU). MB = 2^20 bytes; peak = VmHWM. ' +
    'stages: the run of the median peak, VmRSS after each stage and its delta (they add up, with transientMb, to peakMb); times are medians of the runs.';
  writeFileSync(out, JSON.stringify({ schema: 2, date: new Date().toISOString(), modelDir, runsPerConfig: runs, baseline: { rssAfterLoadMb: baselineMb, peakMb: baseline.peakMb }, rows, note }, null, 2) + '\n');
  console.log(`-> ${out}`);
}

void main();
