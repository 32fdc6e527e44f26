// CodeGen (model_type "codegen": Salesforce/codegen-*-mono|multi|nl, Xenova/codegen-350M-mono).
//   - config.json (Xenova/codegen-350M-mono, as published): n_layer 20, n_head 16, n_embd 1024,
//     n_positions 2048 and n_ctx 2048, rotary_dim 32, vocab_size 51200 (more rows than the
//     tokenizer's 50295 tokens), tie_word_embeddings false, bos 1, eos 50256. CodeGenConfig's
//     attribute_map (transformers configuration_codegen.py) adds the hidden_size /
//     num_attention_heads / num_hidden_layers / max_position_embeddings aliases.
//   - cache: GPT-2's names and layout. Optimum's CodeGenOnnxConfig is GPT2OnnxConfig unchanged
//     (optimum/exporters/onnx/model_configs.py), and transformers.js groups codegen with gpt2 in
//     getNormalizedConfig (num_heads = n_head…). What is cached is the key after the rotary
//     embedding (transformers modeling_codegen.py: layer_past.update(key, value) after
//     apply_rotary_pos_emb), so cached decoding needs nothing from the engine.
//   - position_ids: the rotary embedding is looked up by them (embed_positions[position_ids]).
import { configReader, headDim } from './common';
import { fusedCacheMismatch, gpt2StyleConfig, separateKeyValueSlots } from './gpt2';
import type { ArchAdapter, ModelConfig, RawConfig } from './types';

export const codegen: ArchAdapter = {
  name: 'codegen',
  modelTypes: ['codegen'],
  summary: 'CodeGen (Xenova/codegen-350M-mono): rotary positions, GPT-2-style cache, a key and a value per layer, [batch, heads, seq, head_dim]',
  parseConfig(raw: RawConfig, file: string): ModelConfig {
    const r = configReader(raw, file);
    const config = gpt2StyleConfig(r, 'codegen');
    const size = headDim(config.nEmbd, config.nHead, r);
    // rotary_dim null means the whole head rotates; it pairs dimensions, so it must be even.
    const rotary = r.optionalInt('rotary_dim');
    if (rotary !== undefined && (rotary % 2 !== 0 || rotary > size)) {
      throw r.refuse(`has rotary_dim ${rotary}, expected an even number up to the head size ${size}`);
    }
    return config;
  },
  kvSlots: (config) => separateKeyValueSlots(config),
  diagnoseCache: fusedCacheMismatch,
  positionIds: true,
  // CodeGen (1) was trained left to right only; CodeGen2's infill sentinels are another model type.
  fimTokens: [],
};
