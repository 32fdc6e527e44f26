// Llama-family decoders (model_type "llama": DeepSeek-Coder; "qwen2": Qwen2.5-Coder) as ONNX
// graphs with the I/O signature of their Optimum / onnx-community exports:
//   inputs  input_ids, attention_mask, position_ids [batch, seq], past_key_values.{i}.key|value
//           [batch, num_key_value_heads, past, head_dim] (and, when asked, num_logits_to_keep, an
//           int64 scalar: transformers.js src/models/modeling_utils.js setNumLogitsToKeep feeds it
//           where the session declares it);
//   outputs logits [batch, seq, vocab], present.{i}.key|value [batch, num_key_value_heads, total, head_dim].
// (Optimum optimum/exporters/onnx/model_configs.py: LlamaOnnxConfig and Qwen2OnnxConfig are
// TextDecoderWithPositionIdsOnnxConfig with a GQA past generator; transformers.js src/configs.js
// getNormalizedConfig maps num_heads to num_key_value_heads and dim_kv to head_dim for both.)
// The math follows transformers' modeling_llama.py / modeling_qwen2.py:
//   - RMSNorm: x / √(mean(x²) + eps) · weight (input_layernorm, post_attention_layernorm, norm);
//   - q/k/v projections (Qwen2 with biases, Llama without), rotary embedding on whole heads in
//     rotate_half form (halves, not pairs: (x1, x2) -> (x1·cos − x2·sin, x2·cos + x1·sin)),
//     inv_freq = 1/θ^(2i/d), positions divided by rope_scaling.factor for "linear" scaling
//     (DeepSeek-Coder: factor 4);
//   - grouped-query attention: query head h reads key/value head h / (heads / kv_heads)
//     (repeat_kv), scores · 1/√head_dim, causal and padding mask; o_proj without bias;
//   - SwiGLU MLP: down(silu(gate(x)) · up(x)), no biases;
//   - the head tied to embed_tokens (Qwen2.5 0.5B/1.5B) or its own lm_head (DeepSeek-Coder).
// The cached key is the rotated one, so decoding with the cache equals recomputing the sequence.
// A float16 cache (as model_fp16.onnx declares it) is rounded to float16 before attention reads
// it, in the first pass too, so both paths see the same keys.
import type { GraphDef } from '../../src/inference/onnx/protoWriter';
import { DataType } from '../../src/inference/onnx/protoWriter';
import {
  BATCH,
  buildDecoderGraph,
  int,
  ints,
  MASKED_SCORE,
  param,
  type CacheSpec,
  type Ctx,
  type Gpt2Dims,
  type ModelLayout,
  type ParamRole,
  type Positions,
  type WeightFactory,
} from './gpt2Graph';

export interface LlamaDims extends Gpt2Dims {
  /** num_key_value_heads: divides nHead. */
  kvHeads: number;
  /** intermediate_size of the SwiGLU MLP. */
  intermediate: number;
  ropeTheta: number;
  /** rope_scaling {type: "linear", factor}; 1 for none. */
  ropeFactor: number;
  rmsNormEps: number;
  /** Qwen2: q/k/v projections with biases. */
  qkvBias: boolean;
  /** The head is embed_tokens (tie_word_embeddings), else its own lm_head. */
  tied: boolean;
  /** The graph takes num_logits_to_keep and returns logits for that many last positions (0: all). */
  numLogitsToKeep: boolean;
  /** float16 past/present, as model_fp16.onnx has them. */
  kvFloat16: boolean;
}

export function validateLlamaDims(dims: LlamaDims): void {
  const headDim = dims.nEmbd / dims.nHead;
  if (!Number.isInteger(dims.kvHeads) || dims.kvHeads < 1 || dims.nHead % dims.kvHeads !== 0) {
    throw new Error(`kvHeads (${dims.kvHeads}) must divide nHead (${dims.nHead})`);
  }
  if (headDim % 2 !== 0) throw new Error(`the head size ${headDim} must be even (the rotary embedding turns halves)`);
  if (!Number.isInteger(dims.intermediate) || dims.intermediate < 1) throw new Error(`intermediate must be a positive integer, got ${dims.intermediate}`);
}

/** past_key_values.{i}.key|value, [batch, kv_heads, seq, head_dim]. */
export function llamaCache(dims: LlamaDims): CacheSpec {
  return {
    slots: Array.from({ length: dims.nLayer }, (_, i) =>
      ['key', 'value'].map((kind) => ({ past: `past_key_values.${i}.${kind}`, present: `present.${i}.${kind}` })),
    ).flat(),
    shape: (length) => [BATCH, dims.kvHeads, length, dims.nEmbd / dims.nHead],
    seqAxis: 2,
    ...(dims.kvFloat16 ? { elemType: DataType.FLOAT16 } : {}),
  };
}

/** 1/(θ^(2i/d)·factor), i < d/2, in single precision as torch computes inv_freq. */
export function inverseFrequencies(headDim: number, theta: number, factor: number): Float32Array {
  return Float32Array.from({ length: headDim / 2 }, (_, i) => Math.fround(Math.fround(1 / Math.pow(theta, (2 * i) / headDim)) / factor));
}

function rmsNorm(ctx: Ctx, dims: LlamaDims, x: string, name: string): string {
  const { g } = ctx;
  const weight = param(ctx, name, [dims.nEmbd], 'gamma');
  const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: ints([-1]), keepdims: int(1) });
  const norm = g.op('Div', [x, g.op('Sqrt', [g.op('Add', [meanSquare, g.float(dims.rmsNormEps)])])]);
  return g.op('Mul', [norm, weight]);
}

/** x · W (+ b), W stored [in, out] as the exports' MatMul initializers are. */
function linear(ctx: Ctx, x: string, name: string, nIn: number, nOut: number, role: ParamRole, biasRole?: ParamRole): string {
  const y = ctx.g.op('MatMul', [x, param(ctx, `${name}.weight`, [nIn, nOut], role)]);
  return biasRole ? ctx.g.op('Add', [y, param(ctx, `${name}.bias`, [nOut], biasRole)]) : y;
}

interface Rotary {
  /** [batch, 1, seq, head_dim]: broadcast over the heads of [batch, heads, seq, head_dim]. */
  cos: string;
  sin: string;
}

function rotaryFor(ctx: Ctx, dims: LlamaDims, positions: Positions): Rotary {
  const { g } = ctx;
  const headDim = dims.nEmbd / dims.nHead;
  const inv = g.param('model.rotary_emb.inv_freq', [headDim / 2], inverseFrequencies(headDim, dims.ropeTheta, dims.ropeFactor));
  // position_ids [batch, seq] -> [batch, seq, 1] · inv_freq [d/2] -> [batch, seq, d/2], then both halves.
  const freqs = g.op('Mul', [g.op('Unsqueeze', [g.op('Cast', [positions.ids], { to: int(DataType.FLOAT) }), g.int64([-1])]), inv]);
  const emb = g.op('Unsqueeze', [g.op('Concat', [freqs, freqs], { axis: int(-1) }), g.int64([1])]);
  return { cos: g.op('Cos', [emb]), sin: g.op('Sin', [emb]) };
}

/** rotate_half: (x1, x2) -> (−x2, x1) over the halves of the last axis, then x·cos + rotated·sin. */
function applyRotary(ctx: Ctx, x: string, rot: Rotary, headDim: number): string {
  const { g } = ctx;
  const [x1, x2] = g.opN('Split', [x, g.int64([headDim / 2, headDim / 2])], 2, { axis: int(-1) });
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: int(-1) });
  return g.op('Add', [g.op('Mul', [x, rot.cos]), g.op('Mul', [rotated, rot.sin])]);
}

/** The new positions' tensor appended to the past; with a float16 cache, rounded through it. */
function appendToCache(ctx: Ctx, dims: LlamaDims, past: string, fresh: string, present: string): string {
  const { g } = ctx;
  if (!dims.kvFloat16) return g.op('Concat', [past, fresh], { axis: int(2) }, present);
  const half = g.op('Concat', [past, g.op('Cast', [fresh], { to: int(DataType.FLOAT16) })], { axis: int(2) }, present);
  return g.op('Cast', [half], { to: int(DataType.FLOAT) });
}

function attention(ctx: Ctx, dims: LlamaDims, x: string, layer: number, past: { key: string; value: string }, rot: Rotary, allowed: string): string {
  const { g } = ctx;
  const { nEmbd, nHead, kvHeads } = dims;
  const headDim = nEmbd / nHead;
  const groups = nHead / kvHeads;
  const prefix = `model.layers.${layer}.self_attn`;
  const bias: ParamRole | undefined = dims.qkvBias ? 'attnBias' : undefined;
  const q = linear(ctx, x, `${prefix}.q_proj`, nEmbd, nHead * headDim, 'matrix', bias);
  const k = linear(ctx, x, `${prefix}.k_proj`, nEmbd, kvHeads * headDim, 'matrix', bias);
  const v = linear(ctx, x, `${prefix}.v_proj`, nEmbd, kvHeads * headDim, 'matrix', bias);
  // [b, s, heads·d] -> [b, heads, s, d]
  const heads = (t: string, n: number) => g.op('Transpose', [g.op('Reshape', [t, g.int64([0, 0, n, headDim])])], { perm: ints([0, 2, 1, 3]) });
  const query = applyRotary(ctx, heads(q, nHead), rot, headDim);
  const key = appendToCache(ctx, dims, past.key, applyRotary(ctx, heads(k, kvHeads), rot, headDim), `present.${layer}.key`);
  const value = appendToCache(ctx, dims, past.value, heads(v, kvHeads), `present.${layer}.value`);
  // repeat_kv without copies: the query heads as [b, kv_heads, groups, s, d] against [b, kv_heads, 1, total, d].
  const grouped = g.op('Reshape', [query, g.int64([0, kvHeads, groups, -1, headDim])]);
  const keyT = g.op('Unsqueeze', [g.op('Transpose', [key], { perm: ints([0, 1, 3, 2]) }), g.int64([2])]);
  const scores = g.op('Mul', [g.op('MatMul', [grouped, keyT]), g.float(1 / Math.sqrt(headDim))]);
  const probs = g.op('Softmax', [g.op('Where', [allowed, scores, g.float(MASKED_SCORE)])], { axis: int(-1) });
  const out = g.op('MatMul', [probs, g.op('Unsqueeze', [value, g.int64([2])])]);
  // [b, kv_heads, groups, s, d] -> [b, heads, s, d] -> [b, s, heads·d]
  const merged = g.op('Transpose', [g.op('Reshape', [out, g.int64([0, nHead, -1, headDim])])], { perm: ints([0, 2, 1, 3]) });
  const flat = g.op('Reshape', [merged, g.int64([0, 0, nHead * headDim])]);
  return linear(ctx, flat, `${prefix}.o_proj`, nHead * headDim, nEmbd, 'residualProjection');
}

function mlp(ctx: Ctx, dims: LlamaDims, x: string, layer: number): string {
  const { g } = ctx;
  const prefix = `model.layers.${layer}.mlp`;
  const gate = linear(ctx, x, `${prefix}.gate_proj`, dims.nEmbd, dims.intermediate, 'matrix');
  const up = linear(ctx, x, `${prefix}.up_proj`, dims.nEmbd, dims.intermediate, 'matrix');
  const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate])]);
  return linear(ctx, g.op('Mul', [silu, up]), `${prefix}.down_proj`, dims.intermediate, dims.nEmbd, 'residualProjection');
}

/** The logits of the last num_logits_to_keep positions (0 keeps all: the slice starts at −0). */
function keepLast(ctx: Ctx, h: string): string {
  const { g } = ctx;
  const start = g.op('Neg', [g.op('Reshape', ['num_logits_to_keep', g.int64([1])])]);
  return g.op('Slice', [h, start, g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]);
}

function head(ctx: Ctx, dims: LlamaDims, y: string): void {
  const { g } = ctx;
  if (!dims.tied) {
    g.op('MatMul', [y, param(ctx, 'lm_head.weight', [dims.nEmbd, dims.vocabSize], 'lmHead')], undefined, 'logits');
    return;
  }
  // The embedding stored once, as a Gemm with transB; [batch, -1, vocab] from input_ids' batch so
  // the rows kept decide the middle axis.
  const rows = g.op('Reshape', [y, g.int64([-1, dims.nEmbd])]);
  const flat = g.op('Gemm', [rows, 'model.embed_tokens.weight'], { transB: int(1) });
  const batch = g.op('Slice', [g.op('Shape', ['input_ids']), g.int64([0]), g.int64([1]), g.int64([0])]);
  const shape = g.op('Concat', [batch, g.int64([-1, dims.vocabSize])], { axis: int(0) });
  g.op('Reshape', [flat, shape], undefined, 'logits');
}

export function buildLlamaGraph(name: 'llama' | 'qwen2', dims: LlamaDims, layout: ModelLayout, weights: WeightFactory): GraphDef {
  validateLlamaDims(dims);
  if (layout === 'legacy') throw new Error(`${name}: the legacy layout (no position_ids) is GPT-2's; ${name} exports always take position_ids`);
  const extra = dims.numLogitsToKeep ? [{ name: 'num_logits_to_keep', elemType: DataType.INT64, shape: [] }] : [];
  return buildDecoderGraph(name, dims, layout, llamaCache(dims), weights, (ctx, past, positions) => {
    const { g } = ctx;
    // Scores are [b, kv_heads, groups, s, total]: causal [s, total], padding [b, 1, 1, 1, total].
    const allowed = g.op('And', [positions.causal, g.op('Unsqueeze', [positions.padding, g.int64([1])])]);
    const rot = rotaryFor(ctx, dims, positions);
    let h = g.op('Gather', [param(ctx, 'model.embed_tokens.weight', [dims.vocabSize, dims.nEmbd], 'wte'), 'input_ids'], { axis: int(0) });
    for (let i = 0; i < dims.nLayer; i++) {
      const prefix = `model.layers.${i}`;
      const attn = attention(ctx, dims, rmsNorm(ctx, dims, h, `${prefix}.input_layernorm.weight`), i, { key: past[2 * i], value: past[2 * i + 1] }, rot, allowed);
      h = g.op('Add', [h, attn]);
      h = g.op('Add', [h, mlp(ctx, dims, rmsNorm(ctx, dims, h, `${prefix}.post_attention_layernorm.weight`), i)]);
    }
    const y = rmsNorm(ctx, dims, h, 'model.norm.weight');
    head(ctx, dims, dims.numLogitsToKeep ? keepLast(ctx, y) : y);
  }, extra);
}
