// GPT-2 (model_type "gpt2": gpt2, distilgpt2, gpt2-medium…), as Optimum exports it and
// transformers.js runs it.
//   - config.json: n_layer, n_head, n_embd, n_positions, vocab_size (openai-community/gpt2 and
//     Xenova/gpt2); the num_hidden_layers / num_attention_heads / hidden_size /
//     max_position_embeddings aliases are GPT2Config's attribute_map in transformers.
//   - cache: past_key_values.{i}.key|value in, present.{i}.key|value out, each
//     [batch, n_head, seq, head_dim] (Optimum optimum/exporters/onnx: GPT2OnnxConfig, a
//     TextDecoderWithPositionIdsOnnxConfig, and DummyPastKeyValuesGenerator; transformers.js
//     src/configs.js getKeyValueShapes, "Decoder-only" branch: [batch_size, num_heads, 0, dim_kv]).
//   - position_ids: current Optimum exports take it; older ones do not and compute positions inside.
import type { KvSlot } from '../onnx/rewrite';
import { configReader, headDim, type ConfigReader } from './common';
import type { ArchAdapter, ModelConfig, RawConfig } from './types';

/**
 * The GPT-2-style cache, shared by the architectures that export it the same way (CodeGen): a
 * key and a value per layer, `heads` × head size per position.
 */
export function separateKeyValueSlots(config: ModelConfig, heads = config.kvHeads): KvSlot[] {
  const size = config.nEmbd / config.nHead;
  return Array.from({ length: config.nLayer }, (_, i) =>
    (['key', 'value'] as const).map((kind) => ({ past: `past_key_values.${i}.${kind}`, present: `present.${i}.${kind}`, layout: 'BHTD' as const, heads, headDim: size })),
  ).flat();
}

/** config.json's names as GPT2Config spells them, with the aliases of its attribute_map. */
/** A GPT-2-style adapter meeting a fused key_value graph: it is a gpt_bigcode export with the wrong model_type. */
export function fusedCacheMismatch(graphInputs: ReadonlySet<string>, config: ModelConfig): string | undefined {
  if (![...graphInputs].some((n) => n.endsWith('.key_value'))) return undefined;
  return `the graph has a fused past_key_values.N.key_value cache, as gpt_bigcode exports do, but config.json says model_type ${config.modelType}, whose exports have past_key_values.N.key and .value.`;
}

/** The sizes of a config.json that names them as GPT-2 does (CodeGen too); every head has its own K/V. */
export function gpt2StyleConfig(r: ConfigReader, modelType: string): ModelConfig {
  const nEmbd = r.int(GPT2_FIELDS.nEmbd);
  const nHead = r.int(GPT2_FIELDS.nHead);
  headDim(nEmbd, nHead, r);
  return {
    modelType,
    nLayer: r.int(GPT2_FIELDS.nLayer),
    nHead,
    kvHeads: nHead,
    nEmbd,
    nPositions: r.int(GPT2_FIELDS.nPositions),
    vocabSize: r.int(['vocab_size']),
    eosTokenId: r.eosTokenId(),
  };
}

export const GPT2_FIELDS = {
  nLayer: ['n_layer', 'num_hidden_layers'],
  nHead: ['n_head', 'num_attention_heads'],
  nEmbd: ['n_embd', 'hidden_size'],
  nPositions: ['n_positions', 'max_position_embeddings', 'n_ctx'],
} as const;

export const gpt2: ArchAdapter = {
  name: 'gpt2',
  modelTypes: ['gpt2'],
  summary: 'GPT-2 and its distillations (Xenova/gpt2, Xenova/distilgpt2): a key and a value per layer, [batch, heads, seq, head_dim]',
  parseConfig: (raw: RawConfig, file: string) => gpt2StyleConfig(configReader(raw, file), 'gpt2'),
  kvSlots: (config) => separateKeyValueSlots(config),
  diagnoseCache: fusedCacheMismatch,
  positionIds: true,
  fimTokens: [],
};
