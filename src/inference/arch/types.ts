// The adapter interface: everything the engine needs to know about one architecture's Optimum /
// transformers.js ONNX exports, so that supporting another one is one file (plus a test) and no
// other code changes. The engine itself (session.ts, signature.ts, sequenceCache.ts, the graph
// rewrite) only ever sees ModelConfig and KvSlot[].
import type { KvSlot } from '../onnx/rewrite';

/** The sizes of a model, read from config.json by its architecture's adapter. */
export interface ModelConfig {
  /** config.json's model_type as the registry resolved it ('gpt2' for old exports that have none). */
  readonly modelType: string;
  readonly nLayer: number;
  readonly nHead: number;
  /** Heads that have their own keys and values: n_head, or 1 with multi-query attention. */
  readonly kvHeads: number;
  readonly nEmbd: number;
  /** Channels of one head where config.json gives them (head_dim); else nEmbd / nHead. */
  readonly headDim?: number;
  readonly nPositions: number;
  readonly vocabSize: number;
  readonly eosTokenId: number | undefined;
}

/** config.json as parsed JSON. */
export type RawConfig = Readonly<Record<string, unknown>>;

/**
 * Fill-in-the-middle control token names a model family is known to use. Only names: whether a
 * model has them (and their ids) is read from its tokenizer files, never assumed from the family.
 */
export interface FimTokenNames {
  /** Who uses these spellings, and where they were read. */
  readonly family: string;
  readonly prefix: string;
  readonly middle: string;
  readonly suffix: string;
  readonly pad?: string;
  /** A token that ends the middle besides EOS, for families that have one. */
  readonly end?: string;
}

export interface ArchAdapter {
  /** The adapter's own name (its main model_type). */
  readonly name: string;
  /** config.json model_type values this adapter reads. */
  readonly modelTypes: readonly string[];
  /** One line for the README and for error messages: which exports these are. */
  readonly summary: string;
  /** config.json -> sizes; refuses a missing or inconsistent field with a GhostwriterError naming it. */
  parseConfig(raw: RawConfig, file: string): ModelConfig;
  /**
   * The export's KV cache, one slot per cached tensor in feed order: graph input and output names,
   * layout ('BHTD' [batch, heads, seq, headDim] or 'BTC' [batch, seq, channels]) and sizes, where
   * heads × headDim is what one token adds to the slot.
   */
  kvSlots(config: ModelConfig): KvSlot[];
  /**
   * Called when the graph lacks this architecture's first past input: a sentence naming the cache
   * the graph has instead (another architecture's, another exporter version's), or undefined.
   */
  diagnoseCache?(graphInputs: ReadonlySet<string>, config: ModelConfig): string | undefined;
  /** Whether Optimum's current export of this architecture takes position_ids (the graph decides at load). */
  readonly positionIds: boolean;
  /** FIM token spellings of this family, best known first; empty when it has none. */
  readonly fimTokens: readonly FimTokenNames[];
}
