// Tokenizer + session + generation loop for one model: what the inference process and the CLI run.
import { GhostwriterError } from '../core/errors';
import type { Logger } from '../core/logger';
import { buildPrompt } from '../core/prompt';
import type { Completion, CompletionOptions, CompletionResult, LoadOptions, ModelInfo } from '../core/protocol';
import type { DocumentSnapshot } from '../core/snapshot';
import { loadTokenizer, type TextTokenizer } from '../core/tokenizer';
import { generate, prefill } from './generate';
import { resolveModelFolder } from './model';
import { seededRng } from './rng';
import { ModelSession, type SessionFactory } from './session';
import { deadline, eos, maxNewTokens, newline } from './stopping';

export class InferenceEngine {
  private constructor(
    private readonly session: ModelSession,
    private readonly tokenizer: TextTokenizer,
    readonly info: ModelInfo,
    private readonly log: Logger,
    /** From tokenizer_config.json, else config.json's eos_token_id. */
    private readonly eosTokenId: number | undefined,
  ) {}

  static async load(options: LoadOptions, log: Logger, factory?: SessionFactory): Promise<InferenceEngine> {
    const t0 = Date.now();
    const folder = await resolveModelFolder(options.modelDir, options.modelFile);
    const tokenizer = await loadTokenizer(folder.dir);
    if (tokenizer.size > folder.config.vocabSize) {
      throw new GhostwriterError(
        'model-invalid',
        `tokenizer.json has ${tokenizer.size} tokens but config.json says vocab_size ${folder.config.vocabSize}: they belong to different models.`,
        { file: `${folder.dir}/tokenizer.json` },
      );
    }
    const session = await ModelSession.create(folder, options.executionProvider, log, factory);
    const { nLayer, nHead, nEmbd, nPositions, vocabSize } = folder.config;
    const info: ModelInfo = {
      name: folder.name,
      dir: folder.dir,
      onnxPath: folder.onnxPath,
      provider: session.provider,
      ...(session.fallbackReason ? { fallbackReason: session.fallbackReason } : {}),
      nLayer,
      nHead,
      nEmbd,
      nPositions,
      vocabSize,
      loadMs: Date.now() - t0,
    };
    log.info(`loaded ${info.name} (${info.onnxPath}) on ${info.provider} in ${info.loadMs} ms: n_layer ${nLayer}, n_head ${nHead}, n_embd ${nEmbd}, n_positions ${nPositions}`);
    return new InferenceEngine(session, tokenizer, info, log, tokenizer.eosTokenId ?? folder.config.eosTokenId);
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode(ids);
  }

  /** Last-position logits of `ids` run from scratch, no cache: the reference for cached decoding. */
  async logitsWithoutCache(ids: readonly number[]): Promise<Float32Array> {
    return (await this.session.forward(ids, this.session.emptyCache())).logits;
  }

  async complete(snapshot: DocumentSnapshot, options: CompletionOptions, signal?: AbortSignal): Promise<CompletionResult> {
    const startedAt = Date.now();
    // Leave room for the new tokens inside n_positions.
    const budget = Math.max(1, Math.min(options.contextTokens, this.info.nPositions - options.maxNewTokens));
    const prompt = buildPrompt(snapshot, this.tokenizer, budget, this.eosTokenId);
    const tokenizeMs = Date.now() - startedAt;
    const empty = (): CompletionResult => ({
      completions: [],
      promptTokenIds: prompt.ids,
      timings: { tokenizeMs, prefillMs: 0, decodeMs: 0, totalMs: Date.now() - startedAt, newTokens: 0 },
    });
    if (signal?.aborted || prompt.ids.length === 0) return empty();
    const t1 = Date.now();
    const start = await prefill(this.session, prompt.ids);
    const prefillMs = Date.now() - t1;
    const stopping = [eos(this.eosTokenId), maxNewTokens(options.maxNewTokens), newline(options.newline), deadline(options.timeoutMs)];
    const completions: Completion[] = [];
    let decodeMs = 0;
    // Every generated token counts, those of an aborted sequence too: the log and tests see how soon an abort took hold.
    let newTokens = 0;
    for (let i = 0; i < options.numReturnSequences && !signal?.aborted; i++) {
      const gen = await generate(this.session, start, {
        params: options,
        stopping,
        rng: seededRng(options.seed + i),
        decode: (ids) => this.tokenizer.decode(ids),
        signal,
        startedAt,
      });
      decodeMs += gen.decodeMs;
      newTokens += gen.tokenIds.length;
      if (gen.stopReason === 'aborted') break;
      completions.push({ text: gen.text, tokenIds: gen.tokenIds, stopReason: gen.stopReason });
    }
    const timings = { tokenizeMs, prefillMs, decodeMs, totalMs: Date.now() - startedAt, newTokens };
    this.log.debug(
      `prompt ${prompt.ids.length} tokens${prompt.truncated ? ' (truncated)' : ''}, ${newTokens} new${signal?.aborted ? ' (aborted)' : ''}: tokenize ${tokenizeMs} ms, prefill ${prefillMs} ms, decode ${decodeMs} ms`,
    );
    return { completions: signal?.aborted ? [] : completions, promptTokenIds: prompt.ids, timings };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
