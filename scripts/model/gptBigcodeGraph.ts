// gpt_bigcode's forward pass (with KV cache) as an ONNX graph with the I/O signature of the
// Optimum exports on the hub (Xenova/tiny_starcoder_py; GPTBigCodeOnnxConfig before its
// transformers 4.54 branch): one fused cache tensor per layer,
//   past_key_values.{i}.key_value / present.{i}.key_value,
//   multi-query:     [batch, seq, 2·head_dim]          (one K/V head shared by every query head)
//   not multi-query: [batch, n_head, seq, 2·head_dim]
// key in the first head_dim channels, value in the last. The math follows transformers'
// modeling_gpt_bigcode.py: GPT-2's block (ln_1, attention, residual, ln_2, MLP, residual), learned
// position embeddings, c_attn split into the query (n_embd) and the new key_value (2·kv_dim) for
// multi-query, or viewed as [heads, 3·head_dim] per position and split (head_dim, 2·head_dim)
// otherwise; scores scaled by 1/√head_dim; gelu_pytorch_tanh (the same tanh approximation as
// gelu_new); the head tied to wte.
import type { GraphDef } from '../../src/inference/onnx/protoWriter';
import {
  BATCH,
  buildDecoderGraph,
  conv1d,
  geluNew,
  ints,
  int,
  layerNorm,
  MASKED_SCORE,
  tiedLmHead,
  tokenAndPositionEmbeddings,
  type CacheSpec,
  type Ctx,
  type Gpt2Dims,
  type ModelLayout,
  type WeightFactory,
} from './gpt2Graph';

export interface GptBigcodeDims extends Gpt2Dims {
  multiQuery: boolean;
}

export function gptBigcodeCache(dims: GptBigcodeDims): CacheSpec {
  const fused = 2 * (dims.nEmbd / dims.nHead);
  return {
    slots: Array.from({ length: dims.nLayer }, (_, i) => ({ past: `past_key_values.${i}.key_value`, present: `present.${i}.key_value` })),
    shape: (length) => (dims.multiQuery ? [BATCH, length, fused] : [BATCH, dims.nHead, length, fused]),
    seqAxis: dims.multiQuery ? 1 : 2,
  };
}

/** Multi-query: every query head attends to the one shared key/value head. */
function multiQueryAttention(ctx: Ctx, x: string, layer: number, past: string, allowed: string): string {
  const { g } = ctx;
  const { nEmbd, nHead } = ctx.dims;
  const headDim = nEmbd / nHead;
  const prefix = `transformer.h.${layer}.attn`;
  const qkv = conv1d(ctx, x, `${prefix}.c_attn`, nEmbd, nEmbd + 2 * headDim, 'matrix');
  const [q, kv] = g.opN('Split', [qkv, g.int64([nEmbd, 2 * headDim])], 2, { axis: int(2) });
  // [b, past+s, 2·head_dim]
  const present = g.op('Concat', [past, kv], { axis: int(1) }, `present.${layer}.key_value`);
  const [key, value] = g.opN('Split', [present, g.int64([headDim, headDim])], 2, { axis: int(2) });
  // [b, s, heads, d] · [b, 1, d, past+s] -> [b, s, heads, past+s]
  const query = g.op('Reshape', [q, g.int64([0, 0, nHead, headDim])]);
  const keyT = g.op('Unsqueeze', [g.op('Transpose', [key], { perm: ints([0, 2, 1]) }), g.int64([1])]);
  const scores = g.op('Mul', [g.op('MatMul', [query, keyT]), g.float(1 / Math.sqrt(headDim))]);
  const probs = g.op('Softmax', [g.op('Where', [allowed, scores, g.float(MASKED_SCORE)])], { axis: int(-1) });
  // [b, s, heads, past+s] · [b, 1, past+s, d] -> [b, s, heads, d] -> [b, s, E]
  const out = g.op('MatMul', [probs, g.op('Unsqueeze', [value, g.int64([1])])]);
  return conv1d(ctx, g.op('Reshape', [out, g.int64([0, 0, nEmbd])]), `${prefix}.c_proj`, nEmbd, nEmbd, 'residualProjection');
}

/** Every head its own fused key_value, [b, heads, seq, 2·head_dim]. */
function multiHeadAttention(ctx: Ctx, x: string, layer: number, past: string, allowed: string): string {
  const { g } = ctx;
  const { nEmbd, nHead } = ctx.dims;
  const headDim = nEmbd / nHead;
  const prefix = `transformer.h.${layer}.attn`;
  const qkv = conv1d(ctx, x, `${prefix}.c_attn`, nEmbd, 3 * nEmbd, 'matrix');
  // [b, s, 3E] -> [b, heads, s, 3·head_dim]: each head's query, key, value side by side.
  const perHead = g.op('Transpose', [g.op('Reshape', [qkv, g.int64([0, 0, nHead, 3 * headDim])])], { perm: ints([0, 2, 1, 3]) });
  const [query, kv] = g.opN('Split', [perHead, g.int64([headDim, 2 * headDim])], 2, { axis: int(3) });
  const present = g.op('Concat', [past, kv], { axis: int(2) }, `present.${layer}.key_value`);
  const [key, value] = g.opN('Split', [present, g.int64([headDim, headDim])], 2, { axis: int(3) });
  const scores = g.op('Mul', [g.op('MatMul', [query, g.op('Transpose', [key], { perm: ints([0, 1, 3, 2]) })]), g.float(1 / Math.sqrt(headDim))]);
  const probs = g.op('Softmax', [g.op('Where', [allowed, scores, g.float(MASKED_SCORE)])], { axis: int(-1) });
  const merged = g.op('Transpose', [g.op('MatMul', [probs, value])], { perm: ints([0, 2, 1, 3]) });
  return conv1d(ctx, g.op('Reshape', [merged, g.int64([0, 0, nEmbd])]), `${prefix}.c_proj`, nEmbd, nEmbd, 'residualProjection');
}

function mlp(ctx: Ctx, x: string, layer: number): string {
  const n = ctx.dims.nEmbd;
  const prefix = `transformer.h.${layer}.mlp`;
  const hidden = geluNew(ctx.g, conv1d(ctx, x, `${prefix}.c_fc`, n, 4 * n, 'matrix'));
  return conv1d(ctx, hidden, `${prefix}.c_proj`, 4 * n, n, 'residualProjection');
}

export function buildGptBigcodeGraph(dims: GptBigcodeDims, layout: ModelLayout, weights: WeightFactory): GraphDef {
  return buildDecoderGraph('gpt_bigcode', dims, layout, gptBigcodeCache(dims), weights, (ctx, past, positions) => {
    const { g } = ctx;
    // Multi-query scores are [b, s, heads, keys]: the causal mask goes in as [s, 1, keys].
    const causal = dims.multiQuery ? g.op('Unsqueeze', [positions.causal, g.int64([1])]) : positions.causal;
    const allowed = g.op('And', [causal, positions.padding]);
    const attention = dims.multiQuery ? multiQueryAttention : multiHeadAttention;
    let h = tokenAndPositionEmbeddings(ctx, positions.ids);
    for (let i = 0; i < dims.nLayer; i++) {
      const prefix = `transformer.h.${i}`;
      const afterAttn = g.op('Add', [h, attention(ctx, layerNorm(ctx, h, `${prefix}.ln_1`), i, past[i], allowed)]);
      h = g.op('Add', [afterAttn, mlp(ctx, layerNorm(ctx, afterAttn, `${prefix}.ln_2`), i)]);
    }
    tiedLmHead(ctx, layerNorm(ctx, h, 'transformer.ln_f'));
  });
}
