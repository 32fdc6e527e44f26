// The Llama family: model_type "llama" (deepseek-ai/deepseek-coder-*-base and Xenova's exports of
// them) and "qwen2" (Qwen/Qwen2.5-Coder-*, onnx-community's exports). They agree on everything the
// engine reads, so one reader serves both; they differ in their FIM spellings.
//   - config.json (LlamaConfig / Qwen2Config): num_hidden_layers, num_attention_heads,
//     num_key_value_heads (absent: every head has its own, as LlamaConfig defaults it), hidden_size,
//     head_dim when given (else hidden_size / num_attention_heads), max_position_embeddings,
//     vocab_size (Qwen2.5-Coder: 151936 rows for a 151665-token tokenizer; DeepSeek-Coder 1.3B:
//     32256 for 32022), tie_word_embeddings, eos_token_id (a number or a list).
//   - cache: past_key_values.{i}.key|value in, present.{i}.key|value out, each
//     [batch, num_key_value_heads, seq, head_dim] (Optimum optimum/exporters/onnx/model_configs.py
//     LlamaOnnxConfig / Qwen2OnnxConfig with GQA's DummyPastKeyValuesGenerator; transformers.js
//     src/configs.js getNormalizedConfig, case 'llama' / 'qwen2': num_heads <- num_key_value_heads,
//     dim_kv <- head_dim), float16 in the model_fp16.onnx exports.
//   - position_ids: always an input (the rotary embedding is looked up by them).
//   - num_logits_to_keep: some newer exports take it (transformers.js modeling_utils.js
//     setNumLogitsToKeep); the engine feeds 1 there, the prepared graph holds it as a constant.
import type { KvSlot } from '../onnx/rewrite';
import { configReader } from './common';
import type { ArchAdapter, ModelConfig, RawConfig } from './types';

function llamaStyleConfig(raw: RawConfig, file: string, modelType: string): ModelConfig {
  const r = configReader(raw, file);
  const nEmbd = r.int(['hidden_size']);
  const nHead = r.int(['num_attention_heads']);
  const kvHeads = r.int(['num_key_value_heads'], nHead);
  if (nHead % kvHeads !== 0) throw r.refuse(`says num_key_value_heads ${kvHeads}, which does not divide num_attention_heads ${nHead}`);
  const given = r.optionalInt('head_dim');
  if (given === undefined && nEmbd % nHead !== 0) throw r.refuse(`says hidden_size ${nEmbd}, which is not divisible by num_attention_heads ${nHead}, and no head_dim`);
  return {
    modelType,
    nLayer: r.int(['num_hidden_layers']),
    nHead,
    kvHeads,
    nEmbd,
    headDim: given ?? nEmbd / nHead,
    nPositions: r.int(['max_position_embeddings']),
    vocabSize: r.int(['vocab_size']),
    eosTokenId: r.eosTokenId(),
  };
}

/** A key and a value per layer, [batch, kv_heads, seq, head_dim]: GPT-2's names with fewer heads. */
function keyValueSlots(config: ModelConfig): KvSlot[] {
  const headDim = config.headDim ?? config.nEmbd / config.nHead;
  return Array.from({ length: config.nLayer }, (_, i) =>
    (['key', 'value'] as const).map((kind) => ({ past: `past_key_values.${i}.${kind}`, present: `present.${i}.${kind}`, layout: 'BHTD' as const, heads: config.kvHeads, headDim })),
  ).flat();
}

function fusedCache(graphInputs: ReadonlySet<string>, config: ModelConfig): string | undefined {
  if (![...graphInputs].some((n) => n.endsWith('.key_value'))) return undefined;
  return `the graph has a fused past_key_values.N.key_value cache, as gpt_bigcode exports do, but config.json says model_type ${config.modelType}, whose exports have past_key_values.N.key and .value.`;
}

export const qwen2: ArchAdapter = {
  name: 'qwen2',
  modelTypes: ['qwen2'],
  summary: 'Qwen2 / Qwen2.5-Coder (onnx-community/Qwen2.5-Coder-0.5B-Instruct): grouped-query attention, a key and a value per layer, [batch, kv_heads, seq, head_dim]; FIM tokens',
  parseConfig: (raw, file) => llamaStyleConfig(raw, file, 'qwen2'),
  kvSlots: keyValueSlots,
  diagnoseCache: fusedCache,
  positionIds: true,
  fimTokens: [
    // Qwen/Qwen2.5-Coder-*: tokenizer.json added_tokens 151659-151662 (<|fim_prefix|>, <|fim_middle|>,
    // <|fim_suffix|>, <|fim_pad|>); the model card's FIM example is <|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>.
    // <|endoftext|> ends the middle (an EOS of generation_config.json); <|file_sep|> would start another file.
    { family: 'Qwen2.5-Coder', prefix: '<|fim_prefix|>', middle: '<|fim_middle|>', suffix: '<|fim_suffix|>', pad: '<|fim_pad|>', end: '<|file_sep|>' },
  ],
};

export const llama: ArchAdapter = {
  name: 'llama',
  modelTypes: ['llama'],
  summary: 'Llama and DeepSeek-Coder (Xenova/deepseek-coder-1.3b-base): rotary positions, a key and a value per layer, [batch, kv_heads, seq, head_dim]; FIM tokens',
  parseConfig: (raw, file) => llamaStyleConfig(raw, file, 'llama'),
  kvSlots: keyValueSlots,
  diagnoseCache: fusedCache,
  positionIds: true,
  fimTokens: [
    // deepseek-ai/deepseek-coder-*-base: tokenizer.json added_tokens 32015-32017; the README's
    // infilling example is <｜fim▁begin｜>P<｜fim▁hole｜>S<｜fim▁end｜>, so begin is the prefix
    // marker, hole the suffix's and end the middle's.
    { family: 'DeepSeek-Coder', prefix: '<｜fim▁begin｜>', suffix: '<｜fim▁hole｜>', middle: '<｜fim▁end｜>' },
  ],
};
