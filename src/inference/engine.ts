// Tokenizer + session + generation loop for one model: what the inference process and the CLI run.
// Requests reuse the KV state of earlier ones (cachePool.ts): only the tokens after the longest
// shared prefix are run again.
import { requestStops } from '../core/completion/stops';
import { describeCause, GhostwriterError } from '../core/errors';
import { classifyCudaFailure } from '../core/gpu/providerReason';
import type { Logger } from '../core/logger';
import { detectFim, PromptBuilder, type Prompt } from '../core/promptBuilder';
import type { Completion, CompletionOptions, CompletionResult, LoadOptions, ModelInfo } from '../core/protocol';
import type { DocumentSnapshot } from '../core/snapshot';
import { loadTokenizer, type TextTokenizer } from '../core/tokenizer';
import { warmTokenizer } from './tokenizerWarmUp';
import { CachePool } from './cachePool';
import { ADAPTERS } from './arch';
import { readCpuFeatures } from './cpuFeatures';
import { cudaProviderInstalled } from './cuda';
import { decodableOnly } from './decodableRows';
import { generate, meanLogprob, prefill, PREFILL_CHUNK, type Generation, type PrefillPlan, type StepModel } from './generate';
import { int8KernelOf } from './int8Kernel';
import { resolveModelFolder } from './model';
import { seededRng, type Rng } from './rng';
import { Int8UnsafeError, ModelSession, type PrepareOptions, type SessionFactory } from './session';
import { bytesPerToken, type SequenceCache } from './sequenceCache';
import { deadline, earlyAnswer, eos, maxNewTokens, textCriterion, type StoppingCriterion } from './stopping';

/** Tokens decoded past the shown suggestion, in the background, so typing it on needs no model run. */
export const LOOK_AHEAD_TOKENS = 24;
/** The look-ahead reports its text this often (tokens), so a growing suggestion grows in steps. */
const LOOK_AHEAD_REPORT = 6;
/** The smallest prefill chunk a request may ask for: below it the per-run overhead dominates. */
const MIN_PREFILL_CHUNK = 16;
/** The largest run a growing prefill moves to: past it, a run costs about the same per token and only holds an abort longer. */
const MAX_PREFILL_CHUNK = 512;
/** Documents whose prompt start is remembered (see prompt.ts). */
const MAX_ANCHORS = 64;

/** Points of the load the memory account (bench/memoryAccount.ts) reads the process's memory at. */
export type LoadStage = 'tokenizer' | 'session' | 'warm-up' | 'pool';

export interface EngineLoadOptions extends LoadOptions, PrepareOptions {
  /** Called as each stage of the load ends (after the tokenizer; the session, its one-token check run; the speed probe; the KV pool). */
  readonly onStage?: (stage: LoadStage) => void;
}

/** What a finished request left to continue in the background. */
interface Continuation {
  readonly cache: SequenceCache;
  readonly sampled: readonly number[];
  readonly pending: number;
  readonly rng: Rng;
  readonly options: CompletionOptions;
}

export class InferenceEngine {
  private readonly anchors = new Map<string, number>();
  private continuation: Continuation | undefined;

  private constructor(
    private readonly session: ModelSession,
    private readonly tokenizer: TextTokenizer,
    readonly info: ModelInfo,
    private readonly log: Logger,
    /** From tokenizer_config.json, else config.json's eos_token_id. */
    private readonly eosTokenId: number | undefined,
    private readonly pool: CachePool,
    /** Every end token generation_config.json and config.json list (Qwen2.5-Coder-Instruct: <|im_end|> and <|endoftext|>). */
    listedEndIds: readonly number[],
  ) {
    // FIM comes from the tokenizer's special tokens (any family's spelling), not from the model's name.
    this.prompts = new PromptBuilder(tokenizer, { fimSpellings: ADAPTERS.flatMap((a) => a.fimTokens), startTokenId: eosTokenId });
    const fim = this.prompts.fim;
    // A FIM prompt's continuation is the middle: it ends at EOS or at a FIM control token.
    this.endIds = [...new Set([...listedEndIds, ...(fim ? fim.stop : [])])].filter((id) => id !== eosTokenId);
    if (fim) log.info(`fill-in-the-middle with ${fim.family}'s tokens (tokenizer.json: prefix ${fim.prefix}, suffix ${fim.suffix}, middle ${fim.middle})`);
    // Rows past the tokenizer's last token (a padded embedding) are never sampled.
    this.model = decodableOnly(session, tokenizer.size);
    if (tokenizer.size < session.vocabSize) log.info(`the model has ${session.vocabSize} logits per token and the tokenizer ${tokenizer.size} tokens: the ${session.vocabSize - tokenizer.size} rows past it are never sampled`);
  }

  /** The session with the logits the tokenizer cannot decode masked: what sampling runs. */
  private readonly model: StepModel<SequenceCache>;

  private readonly prompts: PromptBuilder;
  /** Control tokens that end a completion besides EOS: the folder's other end tokens, FIM's. */
  private readonly endIds: readonly number[];

  static async load(options: EngineLoadOptions, log: Logger, factory?: SessionFactory): Promise<InferenceEngine> {
    const t0 = Date.now();
    // 'auto' ends on the CPU unless the CUDA provider is installed (and then it may still fall back).
    const onCpu = options.executionProvider === 'cpu' || (options.executionProvider === 'auto' && !cudaProviderInstalled());
    const int8 = options.int8 ?? int8KernelOf(await readCpuFeatures());
    if (int8.saturates) log.info(`int8 weights beyond ±64 are rescaled when a graph is prepared: ${int8.why}`);
    let folder = await resolveModelFolder(options.modelDir, options.modelFile, onCpu);
    const tokenizer = await loadTokenizer(folder.dir);
    options.onStage?.('tokenizer');
    if (tokenizer.size > folder.config.vocabSize) {
      throw new GhostwriterError(
        'model-invalid',
        `tokenizer.json has ${tokenizer.size} tokens but config.json says vocab_size ${folder.config.vocabSize}: they belong to different models.`,
        { file: `${folder.dir}/tokenizer.json` },
      );
    }
    const prepare = { prepare: options.prepare, cacheDir: options.cacheDir, int8 };
    let session: ModelSession;
    try {
      session = await ModelSession.create(folder, options.executionProvider, log, factory, prepare);
    } catch (err) {
      // 'auto' chose the int8 file for speed; an fp32 one beside it gives right suggestions instead.
      const fp32 = err instanceof Int8UnsafeError && options.modelFile === 'auto' ? await resolveModelFolder(options.modelDir, 'fp32').catch(() => undefined) : undefined;
      if (!fp32) throw err;
      log.warn(`${describeCause(err)} Loading ${fp32.onnxPath} instead (ghostwriter.modelFile is "auto").`);
      folder = fp32;
      session = await ModelSession.create(folder, options.executionProvider, log, factory, prepare);
    }
    options.onStage?.('session');
    let speed: Awaited<ReturnType<typeof measureSpeed>>;
    try {
      speed = await measureSpeed(session);
    } catch (err) {
      await session.release();
      // CUDA that runs out of memory here (the load's one-token check passed) gives way to the CPU too.
      const oom = session.provider === 'cuda' ? classifyCudaFailure(describeCause(err)) : undefined;
      if (oom?.kind !== 'out-of-memory') throw err;
      session = await ModelSession.create(folder, options.executionProvider, log, factory, { ...prepare, cudaFailure: oom });
      speed = await measureSpeed(session);
    }
    const tokenizerWarm = Date.now();
    log.debug(`tokenizer warmed up on ${warmTokenizer(tokenizer)} tokens of sample code in ${Date.now() - tokenizerWarm} ms`);
    options.onStage?.('warm-up');
    const { msPerToken, prefillMsPerToken } = speed;
    const { nLayer, nHead, nEmbd, nPositions, vocabSize } = folder.config;
    // Room for one full-context state and half another (the current file, and a smaller second
    // place), at least 32 MB: the pool is most of what the process holds beyond the weights.
    const budget = Math.max(32 * 2 ** 20, 1.5 * nPositions * bytesPerToken(session.layout));
    const pool = new CachePool(() => session.newCache(), budget, log);
    options.onStage?.('pool');
    const info: ModelInfo = {
      name: folder.name,
      dir: folder.dir,
      onnxPath: folder.onnxPath,
      provider: session.provider,
      ...(session.fallbackReason ? { fallbackReason: session.fallbackReason } : {}),
      ...(session.fallbackKind ? { fallbackKind: session.fallbackKind } : {}),
      nLayer,
      nHead,
      nEmbd,
      nPositions,
      vocabSize,
      fim: detectFim(tokenizer, ADAPTERS.flatMap((a) => a.fimTokens)) !== undefined,
      loadMs: Date.now() - t0,
      prepared: session.prepared,
      prepareNote: session.prepareNote,
      msPerToken,
      prefillMsPerToken,
    };
    log.info(
      `loaded ${info.name} (${info.onnxPath}) on ${info.provider} (${providerWhy(options.executionProvider, info)}) in ${info.loadMs} ms: n_layer ${nLayer}, n_head ${nHead}, n_embd ${nEmbd}, n_positions ${nPositions}; ${session.prepareNote}; decode ${msPerToken.toFixed(1)} ms/token (${(1000 / msPerToken).toFixed(0)} tokens/s), prefill ${prefillMsPerToken.toFixed(2)} ms/token; KV pool budget ${(budget / 2 ** 20).toFixed(0)} MB`,
    );
    return new InferenceEngine(session, tokenizer, info, log, tokenizer.eosTokenId ?? folder.config.eosTokenId, pool, folder.endTokenIds);
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode(ids);
  }

  /** Last-position logits of `ids` run from scratch in a fresh cache: the reference for cached decoding (rows the tokenizer cannot decode masked, as sampling sees them). */
  async logitsWithoutCache(ids: readonly number[]): Promise<Float32Array> {
    return this.model.forward(ids, this.session.newCache());
  }

  /** Bytes of KV state the pool holds across requests (capacity included). */
  get kvPoolBytes(): number {
    return this.pool.bytes;
  }

  /** Rows of the logits that can be sampled: the tokenizer's size, at most the model's. */
  get decodableRows(): number {
    return Math.min(this.tokenizer.size, this.session.vocabSize);
  }

  /**
   * Prompt -> continuations. `prefillOnly` only runs the prompt into the cache (warming it for
   * the next request). An abort stops between prefill chunks or decode steps; what was run
   * stays cached.
   */
  async complete(snapshot: DocumentSnapshot, options: CompletionOptions, signal?: AbortSignal, onFirstToken?: () => void): Promise<CompletionResult> {
    const startedAt = Date.now();
    this.continuation = undefined;
    // Leave room for the new tokens inside n_positions.
    const budget = Math.max(1, Math.min(options.contextTokens, this.info.nPositions - options.maxNewTokens));
    const prompt = this.prompts.build(snapshot, { budget, anchor: this.anchors.get(snapshot.path), suffixShare: options.suffixShare });
    this.remember(snapshot.path, prompt.start);
    const tokenizeMs = Date.now() - startedAt;
    const cold = options.cache === 'cold';
    const { cache, reused } = cold ? { cache: this.session.newCache(), reused: 0 } : this.pool.acquire(prompt.ids);
    // What this request will hold, allocated once: the prompt, the new tokens and the look-ahead after them.
    const lookAhead = options.numReturnSequences === 1 && !cold ? lookAheadTokens(options, options.maxNewTokens) : 0;
    cache.reserve(prompt.ids.length + options.maxNewTokens + lookAhead);
    const result = (completions: Completion[], prefillMs: number, decodeMs: number, newTokens: number): CompletionResult => ({
      completions,
      promptTokenIds: prompt.ids,
      timings: { tokenizeMs, prefillMs, decodeMs, totalMs: Date.now() - startedAt, newTokens, cachedTokens: reused },
    });
    if (signal?.aborted || prompt.ids.length === 0) return result([], 0, 0, 0);
    const t1 = Date.now();
    const start = await prefill(this.model, cache, prompt.ids.slice(reused), signal, prefillPlanOf(options));
    const prefillMs = Date.now() - t1;
    if (!start || options.prefillOnly) {
      this.pool.trim();
      this.logRequest(prompt, reused, 0, signal, tokenizeMs, prefillMs, 0, options.prefillOnly ? 'prefill only' : undefined);
      return result([], prefillMs, 0, 0);
    }
    // Made for each sequence: the criteria keep state.
    const early = options.answerAfterMs !== undefined && options.numReturnSequences === 1 ? [earlyAnswer(options.answerAfterMs)] : [];
    const stopping = () => [eos(this.eosTokenId), ...this.endIds.map(eos), maxNewTokens(options.maxNewTokens), ...this.lineStops(options), deadline(options.timeoutMs), ...early];
    const completions: Completion[] = [];
    let decodeMs = 0;
    // Every generated token counts, those of an aborted sequence too: the log and tests see how soon an abort took hold.
    let newTokens = 0;
    let last: { gen: Generation; rng: Rng } | undefined;
    for (let i = 0; i < options.numReturnSequences && !signal?.aborted; i++) {
      // Each sequence starts from the prompt's state: the previous one's tokens are dropped.
      cache.truncate(prompt.ids.length);
      const rng = seededRng(options.seed + i);
      const gen = await generate(this.model, cache, start, {
        params: options,
        stopping: stopping(),
        rng,
        decode: (ids) => this.tokenizer.decode(ids),
        signal,
        startedAt,
        onToken: (n) => n === 1 && i === 0 && onFirstToken?.(),
      });
      decodeMs += gen.decodeMs;
      newTokens += gen.sampled.length;
      if (gen.stopReason === 'aborted') break;
      const mean = meanLogprob(gen.logprobs, gen.tokenIds.length);
      completions.push({ text: gen.text, tokenIds: gen.tokenIds, stopReason: gen.stopReason, ...(mean !== undefined ? { meanLogprob: mean } : {}) });
      last = { gen, rng };
    }
    this.pool.trim();
    if (last && !cold && options.numReturnSequences === 1 && last.gen.pending !== undefined && last.gen.pending !== this.eosTokenId && !this.endIds.includes(last.gen.pending)) {
      this.continuation = { cache, sampled: last.gen.sampled, pending: last.gen.pending, rng: last.rng, options };
    }
    this.logRequest(prompt, reused, newTokens, signal, tokenizeMs, prefillMs, decodeMs);
    return result(signal?.aborted ? [] : completions, prefillMs, decodeMs, newTokens);
  }

  /**
   * Decodes up to `lookAheadTokens` past the last completion, in the same cache, reporting the
   * whole continuation's text from the cursor every LOOK_AHEAD_REPORT tokens and at the end (the
   * completion's text is its start). An abort stops it; what was reported stays valid.
   */
  async lookAhead(signal: AbortSignal, report: (text: string, grown: number) => void): Promise<void> {
    const c = this.continuation;
    this.continuation = undefined;
    if (!c || signal.aborted || c.cache.length + 1 > this.info.nPositions) return;
    const decode = (ids: readonly number[]) => this.tokenizer.decode(ids);
    const growTo = c.options.growTo ?? 0;
    const send = (extra: readonly number[]) => {
      const all = [...c.sampled, ...extra];
      report(decode(all), growTo > c.sampled.length ? decode(all.slice(0, growTo)).length : 0);
    };
    const logits = await this.model.forward([c.pending], c.cache);
    const wanted = lookAheadTokens(c.options, c.sampled.length);
    const room = Math.min(wanted, this.info.nPositions - c.cache.length);
    if (signal.aborted || room <= 0) return send([]);
    const extra: number[] = [];
    const gen = await generate(this.model, c.cache, logits, {
      params: c.options,
      stopping: [eos(this.eosTokenId), ...this.endIds.map(eos), maxNewTokens(room)],
      rng: c.rng,
      decode,
      signal,
      onToken: (n, id) => {
        extra.push(id);
        if (n % LOOK_AHEAD_REPORT === 0) send(extra);
      },
    });
    this.pool.trim();
    send(gen.tokenIds);
  }

  async release(): Promise<void> {
    this.pool.clear();
    this.continuation = undefined;
    await this.session.release();
  }

  /** The line policy's stop, and with the request's context those that read it (not for the look-ahead: it decodes past the suggestion on purpose). */
  private lineStops(options: CompletionOptions): StoppingCriterion[] {
    return requestStops(options).map(textCriterion);
  }

  private remember(path: string, start: number): void {
    this.anchors.delete(path);
    if (start < 0) return;
    this.anchors.set(path, start);
    if (this.anchors.size > MAX_ANCHORS) this.anchors.delete(this.anchors.keys().next().value!);
  }

  private logRequest(prompt: Prompt, cached: number, newTokens: number, signal: AbortSignal | undefined, tokenizeMs: number, prefillMs: number, decodeMs: number, what?: string): void {
    this.log.debug(
      `prompt ${prompt.ids.length} tokens${prompt.truncated ? ' (truncated)' : ''}${layoutNote(prompt)}, ${cached} cached, ${newTokens} new${signal?.aborted ? ' (aborted)' : ''}${what ? ` (${what})` : ''}: tokenize ${tokenizeMs} ms, prefill ${prefillMs} ms, decode ${decodeMs} ms`,
    );
  }
}

/** Tokens the look-ahead decodes after an answer of `sampled` tokens. An answer cut early by time holds fewer tokens than planned: the look-ahead still reaches growTo and past it. */
function lookAheadTokens(options: CompletionOptions, sampled: number): number {
  const past = options.lookAheadTokens ?? LOOK_AHEAD_TOKENS;
  const growTo = options.growTo ?? 0;
  return growTo > 0 ? Math.max(past, growTo - sampled + LOOK_AHEAD_TOKENS) : past;
}

/** The request's prefill plan, within sane bounds (a bad value must not make a run per token or stall an abort forever). */
function prefillPlanOf(options: CompletionOptions): PrefillPlan {
  const n = options.prefillChunk;
  const chunk = n !== undefined && Number.isFinite(n) ? Math.max(MIN_PREFILL_CHUNK, Math.floor(n)) : PREFILL_CHUNK;
  const runMs = options.prefillRunMs;
  return runMs !== undefined && Number.isFinite(runMs) && runMs > 0 ? { chunk, runMs, maxChunk: Math.max(chunk, MAX_PREFILL_CHUNK) } : { chunk };
}

/** What the prompt holds besides the prefix: FIM's suffix, the extra context. */
function layoutNote(p: Prompt): string {
  const parts = [...(p.mode === 'fim' ? [`FIM, ${p.suffixTokens} of suffix`] : []), ...(p.snippets > 0 ? [`${p.extraTokens} of extra context from ${p.snippets} snippets`] : [])];
  return parts.length > 0 ? ` (${parts.join('; ')}; ${p.prefixTokens} of prefix)` : '';
}

/** Why the model runs where it runs, for the load's log line. */
function providerWhy(wanted: LoadOptions['executionProvider'], info: ModelInfo): string {
  if (info.provider === 'cuda') return `executionProvider ${wanted}: CUDA initialized`;
  if (wanted === 'cpu') return 'executionProvider cpu';
  return `executionProvider ${wanted}: ${info.fallbackReason ?? 'CUDA not used'}`;
}

/** Decode: median ms of a one-token step after a short prompt; prefill: ms per token of a 32-token chunk. */
async function measureSpeed(session: ModelSession): Promise<{ msPerToken: number; prefillMsPerToken: number }> {
  const cache = session.newCache();
  const chunk = Math.min(32, session.maxPositions - 8);
  const steps = Math.min(6, session.maxPositions - chunk - 1);
  if (chunk < 1 || steps < 1) return { msPerToken: 0, prefillMsPerToken: 0 };
  const t0 = performance.now();
  await session.forward(Array.from({ length: chunk }, (_, i) => i), cache);
  const prefillMsPerToken = (performance.now() - t0) / chunk;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await session.forward([chunk + i], cache);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { msPerToken: times[times.length >> 1], prefillMsPerToken };
}
