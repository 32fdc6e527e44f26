// One ONNX Runtime session over the decoder graph of a supported architecture (arch/), with the
// execution provider chosen (and CUDA falling back to CPU, saying why: src/core/gpu/providerReason.ts),
// and forward(ids, cache) -> last-position logits, the cache grown by the new tokens. It runs the
// prepared graph (onnx/rewrite.ts) when the model could be prepared; else the original one, whose
// full KV cache is copied in and out every step.
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../core/config';
import { describeCause, GhostwriterError } from '../core/errors';
import { classifyCudaFailure, type CudaFailure, type CudaFailureKind } from '../core/gpu/providerReason';
import type { Logger } from '../core/logger';
import { archOf } from './arch';
import { collectGarbage } from './collectGarbage';
import { cudaLibraryProblem, withCudaDiagnosis } from './cuda';
import { halfArrayToFloat32 } from './float16';
import type { Int8Kernel } from './int8Kernel';
import type { ModelFolder } from './model';
import type { KvSlot } from './onnx/rewrite';
import { externalDataFolder } from './onnx/externalData';
import { NUM_LOGITS_TO_KEEP } from './onnx/rewrite';
import { defaultCacheDir, prepareGraph } from './prepare';
import { channelsOf, SequenceCache, type CacheLayout, type KvArray } from './sequenceCache';
import { readPreparedSignature, readSignature, type IoSignature } from './signature';

export type ActiveProvider = 'cpu' | 'cuda';

/** Creates a session; injectable so tests can make CUDA fail or succeed on purpose. */
export type SessionFactory = (path: string, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;

/**
 * ONNX Runtime itself, except that CUDA is not asked for when its provider libraries are missing
 * (ONNX Runtime would print its own error lines for nothing), and that its bare "Failed to load
 * shared library" gets what ldd says is missing.
 */
const defaultFactory: SessionFactory = async (path, options) => {
  const cuda = options.executionProviders?.some((ep) => (typeof ep === 'string' ? ep : ep.name) === 'cuda') ?? false;
  if (cuda) {
    const problem = cudaLibraryProblem();
    if (problem) throw new Error(problem);
  }
  try {
    return await ort.InferenceSession.create(path, options);
  } catch (err) {
    if (!cuda) throw err;
    throw new Error(await withCudaDiagnosis(describeCause(err)), { cause: err });
  }
};

export interface PrepareOptions {
  /** false: always the original graph (the reference the tests compare against). */
  readonly prepare?: boolean;
  readonly cacheDir?: string;
  /** CUDA already failed for this model (out of memory after load): go to the CPU at once, saying this. */
  readonly cudaFailure?: CudaFailure;
  /** The CPU's int8 kernel (int8Kernel.ts): where it saturates, int8 weights are fitted to it when the graph is prepared. */
  readonly int8?: Int8Kernel;
}

/** The model's int8 weights would overflow this CPU's int8 sums and could not be rescaled. */
export class Int8UnsafeError extends GhostwriterError {}

/** The load's one CUDA attempt: once CUDA failed, the other graph (prepared, original) goes to the CPU too. */
interface CudaAttempt {
  readonly wanted: ExecutionProvider;
  /**
   * The folder where the graph's external data (model.onnx_data) lies. The prepared graph sits in
   * the cache but keeps the original's references: ONNX Runtime refuses a location outside the
   * loaded file's folder (absolute, or through ..), so it is told the original's folder instead.
   */
  externalDataDir?: string;
  failure: CudaFailure | undefined;
  reported: boolean;
}

interface Made {
  readonly session: ort.InferenceSession;
  readonly provider: ActiveProvider;
  readonly failure: CudaFailure | undefined;
}

export class ModelSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly folder: ModelFolder,
    readonly signature: IoSignature,
    readonly provider: ActiveProvider,
    /** Why it runs on the CPU although CUDA was asked for ('auto' or 'cuda'); undefined when it was not asked for or worked. */
    readonly fallbackReason: string | undefined,
    /** The same, as a kind the editor can act on (offer the Enable GPU command). */
    readonly fallbackKind: CudaFailureKind | undefined,
    /** How the graph was prepared, or why it runs unprepared. */
    readonly prepareNote: string,
  ) {}

  static async create(folder: ModelFolder, wanted: ExecutionProvider, log: Logger, factory = defaultFactory, opts: PrepareOptions = {}): Promise<ModelSession> {
    // The cache's names and layout come from the architecture's adapter (arch/), never from here.
    const slots = archOf(folder.config).kvSlots(folder.config);
    const cuda: CudaAttempt = { wanted, failure: opts.cudaFailure, reported: false };
    if (opts.cudaFailure) report(cuda, log);
    let note = 'not prepared (asked for the original graph)';
    let original = folder.onnxPath;
    if (opts.prepare !== false) {
      const prepared = await prepareGraph(folder.onnxPath, { slots, vocabSize: folder.config.vocabSize }, opts.cacheDir ?? defaultCacheDir(), log, opts.int8);
      // The file's bytes would otherwise stay resident beside ONNX Runtime's own copy of the model.
      if (prepared.readModel) collectGarbage();
      note = prepared.note;
      if (prepared.int8Problem) {
        throw new Int8UnsafeError('model-invalid', `${folder.onnxPath} would give wrong suggestions on this CPU: ${prepared.int8Problem}. Set ghostwriter.modelFile to "fp32" (or "auto" with an fp32 file in the folder).`, { file: folder.onnxPath });
      }
      original = prepared.original ?? original;
      if (prepared.path) {
        const path = prepared.path;
        cuda.externalDataDir = externalDataFolder(folder.onnxPath);
        const session = await ModelSession.open(path, cuda, log, factory, (made) => ModelSession.checked(made, folder, () => readPreparedSignature(made.session, slots, path), note), (stage, cause) => {
          note = `the prepared graph did not ${stage} (${describeCause(cause)}); running the original graph`;
        });
        if (session) return session;
        log.warn(`${folder.onnxPath}: ${note}`);
      }
    }
    // A fitted copy of the original lives in the cache: its external data, if any, is read from the model's folder.
    cuda.externalDataDir = original === folder.onnxPath ? undefined : externalDataFolder(folder.onnxPath);
    const session = await ModelSession.open(original, cuda, log, factory, (made) => ModelSession.checked(made, folder, () => readSignature(made.session, folder.config, original), note), (_stage, cause) => {
      throw cause;
    });
    return session!;
  }

  /**
   * A session over `path`, checked by `check` (which releases it when it throws). CUDA that runs
   * out of memory in the check gives way to the CPU. `failed` hears a failure to load or to run
   * on the provider that was ended on; it may throw.
   */
  private static async open(
    path: string,
    cuda: CudaAttempt,
    log: Logger,
    factory: SessionFactory,
    check: (made: Made) => Promise<ModelSession>,
    failed: (stage: 'load' | 'run', cause: unknown) => void,
  ): Promise<ModelSession | undefined> {
    for (;;) {
      let made: Made;
      try {
        made = await createWithFallback(path, cuda, log, factory);
      } catch (cause) {
        failed('load', cause);
        return undefined;
      }
      try {
        return await check(made);
      } catch (cause) {
        const oom = made.provider === 'cuda' ? classifyCudaFailure(describeCause(cause)) : undefined;
        if (oom?.kind === 'out-of-memory') {
          cuda.failure = oom;
          report(cuda, log);
          continue;
        }
        failed('run', cause);
        return undefined;
      }
    }
  }

  /** Reads the signature and runs one token, so a graph that loads but cannot run is caught at load. */
  private static async checked(made: Made, folder: ModelFolder, signature: () => IoSignature, note: string): Promise<ModelSession> {
    try {
      const s = new ModelSession(made.session, folder, signature(), made.provider, made.failure?.reason, made.failure?.kind, note);
      await s.forward([0], s.newCache());
      return s;
    } catch (err) {
      await made.session.release();
      throw err;
    }
  }

  get vocabSize(): number {
    return this.folder.config.vocabSize;
  }

  get maxPositions(): number {
    return this.folder.config.nPositions;
  }

  get prepared(): boolean {
    return this.signature.prepared;
  }

  get layout(): CacheLayout {
    return { slots: this.signature.slots, dtype: this.signature.kvDtype };
  }

  newCache(): SequenceCache {
    return new SequenceCache(this.layout, this.maxPositions);
  }

  /** Runs `ids` after the cached tokens and appends their keys/values to the cache. */
  async forward(ids: readonly number[], cache: SequenceCache): Promise<Float32Array> {
    if (ids.length === 0) throw new GhostwriterError('internal', 'forward() needs at least one token.');
    const total = cache.length + ids.length;
    if (total > this.maxPositions) {
      throw new GhostwriterError('internal', `sequence of ${total} tokens exceeds n_positions ${this.maxPositions}.`);
    }
    const sig = this.signature;
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await this.session.run(this.feeds(ids, cache), ['logits', ...sig.presentNames]);
    } catch (cause) {
      throw new GhostwriterError('inference-failed', `The model failed to run: ${describeCause(cause)}`, { cause });
    }
    const logits = this.lastLogits(outputs['logits'] as ort.Tensor, sig.prepared || sig.hasNumLogitsToKeep ? 1 : ids.length);
    const fresh = sig.presentNames.map((name, i) => {
      const data = kvData(outputs[name] as ort.Tensor);
      return sig.prepared ? data : newPositionsOf(data, sig.slots[i], cache.length, ids.length);
    });
    cache.append(ids, fresh);
    return logits;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private feeds(ids: readonly number[], cache: SequenceCache): Record<string, ort.Tensor> {
    const past = cache.length;
    const n = ids.length;
    const sig = this.signature;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(past + n).fill(1n), [1, past + n]),
    };
    if (sig.hasPositionIds) {
      feeds['position_ids'] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(past + i)), [1, n]);
    }
    if (sig.hasNumLogitsToKeep) feeds[NUM_LOGITS_TO_KEEP] = new ort.Tensor('int64', BigInt64Array.of(1n), []);
    if (sig.hasUseCacheBranch) {
      feeds['use_cache_branch'] = new ort.Tensor('bool', new Uint8Array([past > 0 ? 1 : 0]), [1]);
    }
    sig.pastNames.forEach((name, i) => {
      const slot = sig.slots[i];
      const view = cache.view(i);
      // Prepared: the buffer's valid prefix as it is. Original: copied into the export's own layout.
      const [data, dims] = sig.prepared || slot.layout === 'BTC' ? [view, [1, past, channelsOf(slot)]] : [toHeadsFirst(view, slot, past), [1, slot.heads, past, slot.headDim]];
      feeds[name] = new ort.Tensor(sig.kvDtype, data, dims);
    });
    return feeds;
  }

  private lastLogits(tensor: ort.Tensor, n: number): Float32Array {
    const vocab = tensor.dims[tensor.dims.length - 1];
    const refuse = (what: string) =>
      new GhostwriterError('model-invalid', `${this.folder.onnxPath}: logits came back as [${tensor.dims.join(', ')}]; ${what}.`, { file: this.folder.onnxPath });
    if (vocab !== this.vocabSize) throw refuse(`config.json says vocab_size ${this.vocabSize}`);
    if (tensor.dims.length !== 3 || tensor.dims[1] !== n) throw refuse(`expected [1, ${n}, ${vocab}]`);
    const start = (n - 1) * vocab;
    const data = tensor.data;
    // fp16 logits arrive as raw halves (Uint16Array), or as a Float16Array where the runtime has one.
    if (data instanceof Uint16Array) return halfArrayToFloat32(data, start, start + vocab);
    return Float32Array.from((data as Float32Array).subarray(start, start + vocab));
  }
}

/** KV outputs as stored: float16 as raw 16-bit patterns even where the runtime hands a Float16Array. */
function kvData(tensor: ort.Tensor): KvArray {
  const data = tensor.data as ArrayBufferView & { length: number };
  if (data instanceof Float32Array || data instanceof Uint16Array) return data;
  return new Uint16Array(data.buffer, data.byteOffset, data.length);
}

/** [T, H·D] -> [H, T, D]: the original graph's past layout. */
function toHeadsFirst(view: KvArray, slot: KvSlot, t: number): KvArray {
  const { heads, headDim } = slot;
  const out = view instanceof Uint16Array ? new Uint16Array(view.length) : new Float32Array(view.length);
  for (let h = 0; h < heads; h++) {
    for (let p = 0; p < t; p++) out.set(view.subarray(p * heads * headDim + h * headDim, p * heads * headDim + (h + 1) * headDim), (h * t + p) * headDim);
  }
  return out;
}

/** The original graph's present ([H, past+n, D], or [past+n, C]) -> the new positions as [n, channels]. */
function newPositionsOf(present: KvArray, slot: KvSlot, past: number, n: number): KvArray {
  const width = channelsOf(slot);
  if (slot.layout === 'BTC') return present.subarray(past * width, (past + n) * width);
  const { heads, headDim } = slot;
  const total = past + n;
  const out = present instanceof Uint16Array ? new Uint16Array(n * width) : new Float32Array(n * width);
  for (let h = 0; h < heads; h++) {
    for (let p = 0; p < n; p++) out.set(present.subarray((h * total + past + p) * headDim, (h * total + past + p + 1) * headDim), p * width + h * headDim);
  }
  return out;
}

/**
 * ONNX Runtime's defaults, kept by measurement (GPT-2-small, 2 cores, prefill 512 / decode at 512,
 * README's Performance section): one intra-op thread was 1.5x slower; no memory arena 2-3x slower
 * for ~20 MB less at the peak (fp32); no weight prepacking 126 MB less at the fp32 peak (the tied
 * head's packed copy of wte, kept beside the embedding's original) but decoding 17% and prefill 9%
 * slower (bench/README.md, "Memory").
 * Except spinning: the intra-op threads spin-wait between ops by default, which is ~10% faster on an
 * idle machine but loses the cores when anything else runs, and in an editor something always
 * does (the renderer, the extension host, a language server re-reading a pasted file). Measured on
 * GPT-2-small int8, 2 cores, a 442-token prompt then 15 decode steps, medians of 5 alternating
 * runs (node dist/cli.js complete --verbose): idle, prefill 276 ms spinning vs 293 without,
 * decode 204 vs 234 ms; beside one busy process, prefill 593 vs 342 ms, decode 473 vs 252 ms.
 */
function sessionOptions(provider: ActiveProvider, externalDataDir: string | undefined): ort.InferenceSession.SessionOptions {
  // ONNX Runtime's session option kOrtSessionOptionsModelExternalInitializersFileFolderPath.
  const external = externalDataDir ? { model_external_initializers_file_folder_path: externalDataDir } : {};
  // kOrtSessionOptionsConfigAllowIntraOpSpinning: threads sleep between ops instead of spinning (see above).
  return { executionProviders: [provider], graphOptimizationLevel: 'all', extra: { session: { 'intra_op.allow_spinning': '0', ...external } } };
}

/** CUDA when it was asked for and has not failed in this load, else (or when it fails now) the CPU. */
async function createWithFallback(path: string, cuda: CudaAttempt, log: Logger, factory: SessionFactory): Promise<Made> {
  if (cuda.wanted !== 'cpu' && !cuda.failure) {
    try {
      return { session: await factory(path, sessionOptions('cuda', cuda.externalDataDir)), provider: 'cuda', failure: undefined };
    } catch (cause) {
      cuda.failure = classifyCudaFailure(describeCause(cause));
      report(cuda, log);
    }
  }
  try {
    return { session: await factory(path, sessionOptions('cpu', cuda.externalDataDir)), provider: 'cpu', failure: cuda.wanted === 'cpu' ? undefined : cuda.failure };
  } catch (cause) {
    throw new GhostwriterError('model-invalid', `ONNX Runtime could not load ${path}: ${describeCause(cause)}`, { cause, file: path });
  }
}

/**
 * Says once per load why CUDA is not used. 'auto' on a machine without a GPU or without the
 * provider libraries is the normal case: an info line. An explicit 'cuda', or a GPU that is there
 * and failed (out of memory, a runtime library missing), is worth a warning.
 */
function report(cuda: CudaAttempt, log: Logger): void {
  const f = cuda.failure;
  if (!f || cuda.reported) return;
  cuda.reported = true;
  const quiet = cuda.wanted === 'auto' && (f.kind === 'no-provider-libraries' || f.kind === 'no-gpu');
  log[quiet ? 'info' : 'warn'](`${f.reason}; running on the CPU.`);
  if (f.detail && !f.reason.includes(f.detail)) log.debug(`CUDA's error: ${f.detail}`);
}
