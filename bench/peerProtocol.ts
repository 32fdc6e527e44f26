// The messages between the bench and the peer process (bench/peer.ts): one job in, one result out.

export interface PeerJob {
  readonly modelDir: string;
  /** transformers.js dtype: 'fp32' loads onnx/model.onnx, 'q8' onnx/model_quantized.onnx. */
  readonly dtype: 'fp32' | 'q8';
  /** Per size: texts[0] is a warm-up, not counted. */
  readonly prefill: readonly { readonly size: string; readonly texts: readonly string[] }[];
  readonly decode: readonly { readonly size: string; readonly texts: readonly string[]; readonly newTokens: number }[];
  /** Sampled with the extension's default settings, as ours is (temperature 0: greedy). */
  readonly firstSuggestion: {
    readonly texts: readonly string[];
    readonly maxNewTokens: number;
    readonly temperature: number;
    readonly topK: number;
    readonly topP: number;
  };
}

export interface GenerateSample {
  /** The prompt as the peer's own tokenizer encoded it. */
  readonly promptIds: number[];
  /** ms the peer's tokenizer took (part of tokenAtMs). */
  readonly tokenizeMs: number;
  /** New token ids, in order (EOS included when it stopped there). */
  readonly newIds: number[];
  /** ms from the call (tokenizing included) to each new token. */
  readonly tokenAtMs: number[];
}

export interface PeerResult {
  readonly name: string;
  readonly version: string;
  readonly ortVersion: string;
  /** The model file transformers.js loaded. */
  readonly modelFile: string;
  readonly loadMs: number;
  readonly peakRssMb?: number;
  readonly prefill: { readonly [size: string]: GenerateSample[] };
  readonly decode: { readonly [size: string]: GenerateSample[] };
  readonly firstSuggestion: GenerateSample[];
}

export type PeerMessage = { readonly type: 'result'; readonly result: PeerResult } | { readonly type: 'error'; readonly message: string };
