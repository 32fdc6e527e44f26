// One row of the memory account, in the process that measures it (memoryAccount.ts forks one per
// run): the engine's own load and one request, with the process's memory read as each stage ends.
import * as ort from 'onnxruntime-node';
import type { ModelFile } from '../src/core/config';
import { silentLogger } from '../src/core/logger';
import type { CompletionOptions } from '../src/core/protocol';
import { createSnapshot } from '../src/core/snapshot';
import { InferenceEngine } from '../src/inference/engine';
import type { SessionFactory } from '../src/inference/session';
import { statusMb } from './procStats';

/** What one measuring process is asked to do. */
export interface StageJob {
  readonly modelDir: string;
  /** 'none': only Node and onnxruntime-node (the baseline). */
  readonly modelFile: ModelFile | 'none';
  /** Merged into the session options the engine asks for. */
  readonly options?: ort.InferenceSession.SessionOptions;
  /** Merged into the options' session config entries, named without their "session." (onnxruntime-node prefixes extra.session's keys: `disable_prepacking` is ONNX Runtime's session.disable_prepacking). */
  readonly session?: Record<string, string>;
  /** The prepared-graph cache: an empty folder makes this load prepare the graph itself. */
  readonly cacheDir: string;
  /** The prompt (~512 GPT-2 tokens of JavaScript). */
  readonly prompt: string;
}

/** The process's memory at one point, MB (2^20 bytes). */
export interface Reading {
  readonly stage: string;
  /** VmRSS: resident now (anonymous + file-backed). */
  readonly rssMb: number;
  readonly anonMb: number;
  readonly fileMb: number;
  /** VmHWM: the largest VmRSS so far. */
  readonly hwmMb: number;
  /** process.memoryUsage(): the V8 heap in use, memory outside it that V8 tracks (external), and of that the ArrayBuffers (typed arrays, Buffers). */
  readonly heapUsedMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
}

export interface StageRun {
  readonly readings: readonly Reading[];
  /** VmHWM at the end: the process's peak. */
  readonly peakMb: number;
  readonly prefillMs?: number;
  readonly decodeMsPerToken?: number;
  readonly promptTokens?: number;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

export function read(stage: string): Reading {
  const field = (f: Parameters<typeof statusMb>[1]) => Math.round(statusMb('self', f) ?? NaN);
  const m = process.memoryUsage();
  return {
    stage,
    rssMb: field('VmRSS'),
    anonMb: field('RssAnon'),
    fileMb: field('RssFile'),
    hwmMb: field('VmHWM'),
    heapUsedMb: mb(m.heapUsed),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
  };
}

/** Loads the model (the engine's path, prepared graph included) and runs one request: 32 greedy tokens after the prompt. */
export async function measureStages(job: StageJob): Promise<StageRun> {
  const readings: Reading[] = [read('Node + onnxruntime-node')];
  if (job.modelFile === 'none') return { readings, peakMb: readings[0].hwmMb };
  // The factory is called once the graph is ready (prepared now or read from the cache) and returns once ONNX Runtime holds it.
  const factory: SessionFactory = async (path, options) => {
    readings.push(read('graph ready (prepare or cache hit)'));
    const extra = options.extra as { session?: Record<string, unknown> } | undefined;
    const session = await ort.InferenceSession.create(path, { ...options, ...job.options, extra: { ...extra, session: { ...extra?.session, ...job.session } } });
    readings.push(read('ONNX Runtime session created'));
    return session;
  };
  const names = { tokenizer: 'model folder + tokenizer', session: 'load check (one token)', 'warm-up': 'speed probe (32 + 6 tokens)', pool: 'KV pool set up' } as const;
  const engine = await InferenceEngine.load(
    { modelDir: job.modelDir, modelFile: job.modelFile, executionProvider: 'cpu', cacheDir: job.cacheDir, onStage: (s) => readings.push(read(names[s])) },
    silentLogger,
    factory,
  );
  const snapshot = createSnapshot({ prefix: job.prompt, suffix: '', languageId: 'javascript', path: 'memory.js', version: 1 });
  const options: CompletionOptions = {
    maxNewTokens: 32, temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 1, numReturnSequences: 1,
    // A window that must cut the text fills three quarters of its budget: 676 × 3/4 = 507, the prompt this account was measured with.
    newline: 'none', contextTokens: 676, suffixShare: 0, timeoutMs: 600_000,
  };
  const result = await engine.complete(snapshot, options, undefined, () => readings.push(read('prefill (+ first token)')));
  readings.push(read('decode (31 more tokens)'));
  const t = result.timings;
  const peakMb = read('end').hwmMb;
  await engine.release();
  return {
    readings,
    peakMb,
    prefillMs: t.prefillMs,
    decodeMsPerToken: t.newTokens > 1 ? t.decodeMs / (t.newTokens - 1) : undefined,
    promptTokens: result.promptTokenIds.length,
  };
}
