// The IPC messages between the extension host and the inference process. Data only: both ends
// import this one file, errors travel as ErrorData.
import type { ExecutionProvider, ModelFile, Settings } from './config';
import type { ErrorData } from './errors';
import type { CudaFailureKind } from './gpu/providerReason';
import type { LogLevel } from './logger';
import type { RequestContext } from './completion/requestContext';
import type { DocumentSnapshot } from './snapshot';

/** 'singleLine' ends at the first newline; 'multiLine' at the first blank line after some text. */
export type NewlinePolicy = 'none' | 'singleLine' | 'multiLine';

export interface LoadOptions {
  readonly modelDir: string;
  readonly modelFile: ModelFile;
  readonly executionProvider: ExecutionProvider;
  /** Folder for prepared graphs (cached by content hash); none: prepare in a temp folder each load. */
  readonly cacheDir?: string;
}

export interface ModelInfo {
  readonly name: string;
  readonly dir: string;
  readonly onnxPath: string;
  readonly provider: 'cpu' | 'cuda';
  /** Set when CUDA was asked for ('auto' or 'cuda') but could not be used: why, in one sentence. */
  readonly fallbackReason?: string;
  /** The same as a kind (src/core/gpu/providerReason.ts): 'no-provider-libraries' is fixed by the Enable GPU command. */
  readonly fallbackKind?: CudaFailureKind;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
  readonly nPositions: number;
  readonly vocabSize: number;
  /** The tokenizer has fill-in-the-middle tokens: the prompt holds the text after the cursor, so a suggestion may fill in a line. */
  readonly fim?: boolean;
  readonly loadMs: number;
  /** Whether the graph was prepared (last-position logits, new K/V only), and why not. */
  readonly prepared?: boolean;
  readonly prepareNote?: string;
  /** Measured at load on the active provider: decode ms per token at a short context. */
  readonly msPerToken?: number;
  readonly prefillMsPerToken?: number;
}

/** The sampling and budget settings travel as they are; the rest is decided per request. */
export interface CompletionOptions
  extends Pick<Settings, 'temperature' | 'topK' | 'topP' | 'repetitionPenalty' | 'maxNewTokens' | 'contextTokens' | 'timeoutMs'> {
  readonly newline: NewlinePolicy;
  /**
   * What the stops while decoding read of the place (src/core/completion/stops/): with it the engine also
   * stops where the text reproduces the suffix, leaves the block, repeats itself, closes what
   * the suffix closes, or meets a stop sequence. Absent: only the line policy, EOS, the budget
   * and the deadline (the raw CLI).
   */
  readonly context?: RequestContext;
  readonly numReturnSequences: number;
  readonly seed: number;
  /** 'cold' ignores (and does not keep) cached KV state: for benchmarks and reference runs. */
  readonly cache?: 'reuse' | 'cold';
  /** Only run the prompt into the KV cache (warming it for the next request); no completion. */
  readonly prefillOnly?: boolean;
  /**
   * Prompt tokens per model run while prefilling. Each run is an abort point: small when a newer
   * request may soon supersede this one, large (fewer, more efficient runs) when nothing is
   * expected to. Absent: PREFILL_CHUNK (src/inference/generate.ts).
   */
  readonly prefillChunk?: number;
  /**
   * With it, the chunks after the first double (up to 512 tokens) while the last run's time per
   * token says the larger run still ends within this many ms (src/inference/generate.ts PrefillPlan).
   */
  readonly prefillRunMs?: number;
  /**
   * Answer once this many ms of the request have passed and a couple of tokens are decoded, even
   * before maxNewTokens (an automatic trigger: the look-ahead grows the answer from there).
   */
  readonly answerAfterMs?: number;
  /** Tokens to decode past the answer in the background (default 24). */
  readonly lookAheadTokens?: number;
  /**
   * The answer comes early (after maxNewTokens) and may grow to this many tokens as the
   * look-ahead decodes: each 'lookahead' says how much of its text that is.
   */
  readonly growTo?: number;
  /** With FIM, the suffix's most as a share of the prompt budget (ghostwriter.suffixShare; absent: its default). */
  readonly suffixShare?: number;
}

export interface Completion {
  readonly text: string;
  /** The tokens the text came from; when a stop cut the text, the last may reach past the cut. */
  readonly tokenIds: readonly number[];
  readonly stopReason: string;
  /**
   * The mean log-probability of `tokenIds` under the model (its logits as they come, before
   * temperature and the rest): how sure it was, for ranking alternatives and the confidence
   * gate. Absent when the completion has no tokens.
   */
  readonly meanLogprob?: number;
}

export interface Timings {
  readonly tokenizeMs: number;
  readonly prefillMs: number;
  readonly decodeMs: number;
  readonly totalMs: number;
  readonly newTokens: number;
  /** Prompt tokens served from a cached KV state (not run again). */
  readonly cachedTokens?: number;
}

export interface CompletionResult {
  readonly completions: readonly Completion[];
  readonly promptTokenIds: readonly number[];
  readonly timings: Timings;
}

export type Request =
  | { readonly type: 'load'; readonly id: number; readonly options: LoadOptions }
  | { readonly type: 'complete'; readonly id: number; readonly snapshot: DocumentSnapshot; readonly options: CompletionOptions }
  | { readonly type: 'abort'; readonly id: number };

export type Response =
  | { readonly type: 'loaded'; readonly id: number; readonly info: ModelInfo }
  | { readonly type: 'completed'; readonly id: number; readonly result: CompletionResult }
  /**
   * Sent after 'completed', every few tokens, while the engine decodes on past the suggestion in
   * the background: the whole continuation from the cursor (the completion's text is its start);
   * `grown`: how many characters of it the suggestion may now show (CompletionOptions.growTo).
   */
  | { readonly type: 'lookahead'; readonly id: number; readonly text: string; readonly grown: number }
  /** The request's first new token was sampled: its time to first token, and an event tests wait on. */
  | { readonly type: 'first-token'; readonly id: number }
  /** The request was aborted before it finished; not an error. */
  | { readonly type: 'aborted'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorData }
  /** Unprompted: log lines from the inference process, so one channel shows both sides. */
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string };
