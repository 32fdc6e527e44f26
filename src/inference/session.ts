// One ONNX Runtime session over a GPT-2-style graph, with the execution provider chosen (and
// CUDA falling back to CPU), and forward(ids, cache) -> last-position logits + the grown cache.
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../core/config';
import { describeCause, GhostwriterError } from '../core/errors';
import type { Logger } from '../core/logger';
import { halfArrayToFloat32 } from './float16';
import type { KvCache, LayerKv } from './kvCache';
import type { ModelFolder } from './model';
import { readSignature, type IoSignature } from './signature';

export interface StepResult {
  /** Logits of the last input position, vocabSize long. */
  readonly logits: Float32Array;
  readonly cache: KvCache;
}

export type ActiveProvider = 'cpu' | 'cuda';

/** Creates a session; injectable so tests can make CUDA fail or succeed on purpose. */
export type SessionFactory = (path: string, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;

const defaultFactory: SessionFactory = (path, options) => ort.InferenceSession.create(path, options);

export class ModelSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly folder: ModelFolder,
    readonly signature: IoSignature,
    readonly provider: ActiveProvider,
    /** Why CUDA was not used although it was asked for; undefined when it was not asked for or worked. */
    readonly fallbackReason: string | undefined,
  ) {}

  static async create(folder: ModelFolder, wanted: ExecutionProvider, log: Logger, factory = defaultFactory): Promise<ModelSession> {
    const { session, provider, fallbackReason } = await createWithFallback(folder.onnxPath, wanted, log, factory);
    try {
      const signature = readSignature(session, folder.config, folder.onnxPath);
      return new ModelSession(session, folder, signature, provider, fallbackReason);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  get vocabSize(): number {
    return this.folder.config.vocabSize;
  }

  get maxPositions(): number {
    return this.folder.config.nPositions;
  }

  /** A cache holding nothing: zero-length past tensors, as exports expect on the first step. */
  emptyCache(): KvCache {
    const { nLayer, nHead, nEmbd } = this.folder.config;
    const dims = [1, nHead, 0, nEmbd / nHead];
    const empty = () =>
      this.signature.kvDtype === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
    const layers: LayerKv[] = Array.from({ length: nLayer }, () => ({ key: empty(), value: empty() }));
    return { tokens: [], layers };
  }

  /** Runs `ids` after the cached tokens. */
  async forward(ids: readonly number[], cache: KvCache): Promise<StepResult> {
    if (ids.length === 0) throw new GhostwriterError('internal', 'forward() needs at least one token.');
    const past = cache.tokens.length;
    const total = past + ids.length;
    if (total > this.maxPositions) {
      throw new GhostwriterError('internal', `sequence of ${total} tokens exceeds n_positions ${this.maxPositions}.`);
    }
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await this.session.run(this.feeds(ids, cache));
    } catch (cause) {
      throw new GhostwriterError('inference-failed', `The model failed to run: ${describeCause(cause)}`, { cause });
    }
    const logits = this.lastLogits(outputs['logits'] as ort.Tensor, ids.length);
    const layers = this.signature.presentNames.map(({ key, value }) => ({
      key: outputs[key] as ort.Tensor,
      value: outputs[value] as ort.Tensor,
    }));
    return { logits, cache: { tokens: [...cache.tokens, ...ids], layers } };
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private feeds(ids: readonly number[], cache: KvCache): Record<string, ort.Tensor> {
    const past = cache.tokens.length;
    const n = ids.length;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(past + n).fill(1n), [1, past + n]),
    };
    if (this.signature.hasPositionIds) {
      feeds['position_ids'] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(past + i)), [1, n]);
    }
    if (this.signature.hasUseCacheBranch) {
      feeds['use_cache_branch'] = new ort.Tensor('bool', new Uint8Array([past > 0 ? 1 : 0]), [1]);
    }
    this.signature.pastNames.forEach(({ key, value }, i) => {
      feeds[key] = cache.layers[i].key;
      feeds[value] = cache.layers[i].value;
    });
    return feeds;
  }

  private lastLogits(tensor: ort.Tensor, n: number): Float32Array {
    const vocab = tensor.dims[tensor.dims.length - 1];
    const refuse = (what: string) =>
      new GhostwriterError('model-invalid', `${this.folder.onnxPath}: logits came back as [${tensor.dims.join(', ')}]; ${what}.`, { file: this.folder.onnxPath });
    if (vocab !== this.vocabSize) throw refuse(`config.json says vocab_size ${this.vocabSize}`);
    if (tensor.dims.length !== 3 || tensor.dims[1] !== n) throw refuse(`expected [1, ${n}, ${vocab}] for ${n} input tokens`);
    const start = (n - 1) * vocab;
    const data = tensor.data;
    // fp16 logits arrive as raw halves (Uint16Array), or as a Float16Array where the runtime has one.
    if (data instanceof Uint16Array) return halfArrayToFloat32(data, start, start + vocab);
    return Float32Array.from((data as Float32Array).subarray(start, start + vocab));
  }
}

async function createWithFallback(path: string, wanted: ExecutionProvider, log: Logger, factory: SessionFactory) {
  const options = (provider: ActiveProvider): ort.InferenceSession.SessionOptions => ({
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
  });
  let fallbackReason: string | undefined;
  if (wanted !== 'cpu') {
    try {
      return { session: await factory(path, options('cuda')), provider: 'cuda' as const, fallbackReason };
    } catch (cause) {
      fallbackReason = `CUDA is not available (${describeCause(cause)})`;
      log.warn(`${fallbackReason}; falling back to the CPU execution provider.`);
    }
  }
  try {
    return { session: await factory(path, options('cpu')), provider: 'cpu' as const, fallbackReason };
  } catch (cause) {
    throw new GhostwriterError('model-invalid', `ONNX Runtime could not load ${path}: ${describeCause(cause)}`, { cause, file: path });
  }
}
