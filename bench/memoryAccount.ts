// Where the inference process's memory goes, per ONNX Runtime session option, with what each
// option costs in speed: `node out/bench/memoryAccount.js [--model DIR]` (default: the bench's
// generated GPT-2-small folder). Each configuration runs in a fresh process: load the model (the
// engine's own path, prepared graph included), then one request of a ~512-token prompt and 32
// greedy tokens; it reports resident memory after the load and at its peak (VmRSS, VmHWM), the
// prefill and the decode time. A baseline process loads only Node and onnxruntime-node.
// A measurement, not a test: it prints a table and writes bench/results/memory-account.json.
import { fork } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ensureModel, findRepoRoot, GPT2_SMALL } from '../scripts/model/generate';
import type { ModelFile } from '../src/core/config';
import { silentLogger } from '../src/core/logger';
import type { CompletionOptions } from '../src/core/protocol';
import { createSnapshot } from '../src/core/snapshot';
import { InferenceEngine } from '../src/inference/engine';
import type { SessionFactory } from '../src/inference/session';
import { promptCorpus } from './corpus';
import { statusMb } from './procStats';

interface Config {
  readonly name: string;
  /** Merged into the session options the engine asks for. */
  readonly options: ort.InferenceSession.SessionOptions;
  readonly session?: Record<string, string>;
}

const CONFIGS: readonly Config[] = [
  { name: 'defaults (as shipped)', options: {} },
  { name: 'no memory arena', options: { enableCpuMemArena: false } },
  { name: 'no weight prepacking', options: {}, session: { 'session.disable_prepacking': '1' } },
  { name: 'neither', options: { enableCpuMemArena: false }, session: { 'session.disable_prepacking': '1' } },
];

interface Job {
  readonly modelDir: string;
  readonly modelFile: ModelFile | 'none';
  readonly config: number;
}

interface Measured {
  readonly rssAfterLoadMb: number;
  readonly peakMb: number;
  readonly prefillMs?: number;
  readonly decodeMsPerToken?: number;
  readonly promptTokens?: number;
}

const selfMb = (field: 'VmRSS' | 'VmHWM') => Math.round(statusMb('self', field) ?? NaN);

async function child(job: Job): Promise<Measured> {
  if (job.modelFile === 'none') return { rssAfterLoadMb: selfMb('VmRSS'), peakMb: selfMb('VmHWM') };
  const config = CONFIGS[job.config];
  const factory: SessionFactory = (path, options) => {
    const extra = options.extra as { session?: Record<string, unknown> } | undefined;
    return ort.InferenceSession.create(path, { ...options, ...config.options, extra: { ...extra, session: { ...extra?.session, ...config.session } } });
  };
  const engine = await InferenceEngine.load({ modelDir: job.modelDir, modelFile: job.modelFile, executionProvider: 'cpu' }, silentLogger, factory);
  const rssAfterLoadMb = selfMb('VmRSS');
  // ~512 tokens of real JavaScript; 32 greedy tokens after it.
  const text = promptCorpus(findRepoRoot()).text.slice(200_000, 202_000);
  const snapshot = createSnapshot({ prefix: text, suffix: '', languageId: 'javascript', path: 'memory.js', version: 1 });
  const options: CompletionOptions = {
    maxNewTokens: 32, temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 1, numReturnSequences: 1,
    newline: 'none', contextTokens: 512, suffixShare: 0, timeoutMs: 600_000,
  };
  const result = await engine.complete(snapshot, options);
  const t = result.timings;
  await engine.release();
  return { rssAfterLoadMb, peakMb: selfMb('VmHWM'), prefillMs: t.prefillMs, decodeMsPerToken: t.newTokens > 1 ? t.decodeMs / (t.newTokens - 1) : undefined, promptTokens: result.promptTokenIds.length };
}

function run(job: Job): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const p = fork(__filename, ['--child', JSON.stringify(job)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    p.once('message', (m: { ok: boolean; value?: Measured; error?: string }) => (m.ok ? resolve(m.value!) : reject(new Error(m.error))));
    p.once('exit', (code) => code !== 0 && reject(new Error(`child exited ${code}`)));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const job = JSON.parse(args[1]) as Job;
    child(job).then(
      (value) => process.send!({ ok: true, value }, () => process.exit(0)),
      (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.stack : String(err) }, () => process.exit(1)),
    );
    return;
  }
  const root = findRepoRoot();
  const i = args.indexOf('--model');
  const modelDir = i >= 0 ? args[i + 1] : await ensureModel('gpt2-small', GPT2_SMALL);
  const baseline = await run({ modelDir, modelFile: 'none', config: 0 });
  console.log(`Node + onnxruntime-node, no model: ${baseline.rssAfterLoadMb} MB resident`);
  const rows: (Measured & { variant: string; config: string; fileMb: number })[] = [];
  for (const [variant, file] of [['fp32', 'model.onnx'], ['int8', 'model_quantized.onnx']] as const) {
    const fileMb = Math.round(statSync(join(modelDir, 'onnx', file)).size / 2 ** 20);
    for (let c = 0; c < CONFIGS.length; c++) {
      const m = await run({ modelDir, modelFile: variant === 'fp32' ? 'fp32' : 'quantized', config: c });
      rows.push({ ...m, variant, config: CONFIGS[c].name, fileMb });
      console.log(`${variant} (${fileMb} MB file), ${CONFIGS[c].name}: after load ${m.rssAfterLoadMb} MB, peak ${m.peakMb} MB; prefill ${m.promptTokens} tokens ${m.prefillMs} ms, decode ${m.decodeMsPerToken?.toFixed(1)} ms/token`);
    }
  }
  const out = join(root, 'bench', 'results', 'memory-account.json');
  writeFileSync(out, JSON.stringify({ schema: 1, date: new Date().toISOString(), modelDir, baseline, rows, note: 'One fresh process per row: load, then one request of ~512 prompt tokens and 32 greedy tokens (CPU). MB = 2^20 bytes; peak = VmHWM.' }, null, 2) + '\n');
  console.log(`-> ${out}`);
}

void main();
