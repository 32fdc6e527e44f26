// gpt_bigcode (model_type "gpt_bigcode": StarCoder, StarCoderBase, SantaCoder,
// bigcode/tiny_starcoder_py and its export Xenova/tiny_starcoder_py).
//   - config.json (Xenova/tiny_starcoder_py, as published): n_layer 20, n_head 12, n_embd 768,
//     n_positions 8192, n_inner 3072, multi_query true, vocab_size 49152, bos/eos 0.
//     GPTBigCodeConfig (transformers configuration_gpt_bigcode.py) defaults multi_query to true
//     and maps hidden_size / num_attention_heads / num_hidden_layers / max_position_embeddings.
//   - cache, as the exports on the hub have it (Optimum before its transformers 4.54 branch,
//     optimum-onnx optimum/exporters/onnx/model_configs.py GPTBigCodeOnnxConfig and
//     input_generators.py GPTBigCodeDummyPastKeyValuesGenerator; transformers.js src/configs.js
//     getKeyValueShapes, `multi_query` branch): one fused tensor per layer,
//     past_key_values.{i}.key_value in and present.{i}.key_value out,
//       multi_query:     [batch, seq, 2·head_dim]          (sequence on axis 1; one K/V head shared by all)
//       not multi_query: [batch, n_head, seq, 2·head_dim]  (sequence on axis 2)
//     with the key in the first head_dim channels and the value in the last ones
//     (transformers modeling_gpt_bigcode.py: key, value = key_value.split((head_dim, head_dim), dim=-1)).
//     So a slot's "head size" here is 2·head_dim: what one position of one cached head holds.
//   - Optimum with transformers >= 4.54 exports separate past_key_values.{i}.key|value
//     ([batch, 1 or n_head, seq, head_dim]); signature.ts names that case when it meets one.
//   - position_ids: GPTBigCodeOnnxConfig is a TextDecoderWithPositionIdsOnnxConfig.
import type { KvSlot } from '../onnx/rewrite';
import { configReader, headDim } from './common';
import type { ArchAdapter, ModelConfig, RawConfig } from './types';

function fusedSlots(config: ModelConfig): KvSlot[] {
  const size = 2 * (config.nEmbd / config.nHead);
  // One K/V head is multi-query (a non-multi-query model with n_head 1 would be exported as
  // [batch, 1, seq, 2·head_dim]; signature.ts names the mismatch if one ever turns up).
  const multiQuery = config.kvHeads === 1;
  return Array.from({ length: config.nLayer }, (_, i) => ({
    past: `past_key_values.${i}.key_value`,
    present: `present.${i}.key_value`,
    layout: multiQuery ? ('BTC' as const) : ('BHTD' as const),
    heads: config.kvHeads,
    headDim: size,
  }));
}

export const gptBigcode: ArchAdapter = {
  name: 'gpt_bigcode',
  modelTypes: ['gpt_bigcode'],
  summary: 'gpt_bigcode, the StarCoder / SantaCoder line (Xenova/tiny_starcoder_py): multi-query attention, one fused key_value per layer, [batch, seq, 2·head_dim]; FIM tokens',
  parseConfig(raw: RawConfig, file: string): ModelConfig {
    const r = configReader(raw, file);
    const nEmbd = r.int(['n_embd', 'hidden_size']);
    const nHead = r.int(['n_head', 'num_attention_heads']);
    headDim(nEmbd, nHead, r);
    const multiQuery = r.bool('multi_query', true);
    return {
      modelType: 'gpt_bigcode',
      nLayer: r.int(['n_layer', 'num_hidden_layers']),
      nHead,
      kvHeads: multiQuery ? 1 : nHead,
      nEmbd,
      nPositions: r.int(['n_positions', 'max_position_embeddings']),
      vocabSize: r.int(['vocab_size']),
      eosTokenId: r.eosTokenId(),
    };
  },
  kvSlots: fusedSlots,
  diagnoseCache(graphInputs) {
    if (![...graphInputs].some((n) => /^past_key_values\.\d+\.key$/.test(n))) return undefined;
    return 'the graph has separate past_key_values.N.key / .value inputs, as Optimum exports gpt_bigcode with transformers 4.54 or later; Ghostwriter reads the fused past_key_values.N.key_value exports (those on the hub, such as Xenova/tiny_starcoder_py) and not these yet.';
  },
  positionIds: true,
  fimTokens: [
    // bigcode/starcoder*, bigcode/tiny_starcoder_py: special_tokens_map.json additional_special_tokens.
    { family: 'StarCoder', prefix: '<fim_prefix>', middle: '<fim_middle>', suffix: '<fim_suffix>', pad: '<fim_pad>' },
    // bigcode/santacoder, bigcode/gpt_bigcode-santacoder: ids 49153-49156 in tokenizer.json added_tokens.
    { family: 'SantaCoder', prefix: '<fim-prefix>', middle: '<fim-middle>', suffix: '<fim-suffix>', pad: '<fim-pad>' },
  ],
};
