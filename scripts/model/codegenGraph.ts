// CodeGen's forward pass (with KV cache) as an ONNX graph with the I/O signature of an Optimum
// export (CodeGenOnnxConfig is GPT2OnnxConfig: past_key_values.{i}.key|value in,
// present.{i}.key|value out, [batch, n_head, seq, head_dim], position_ids). The math follows
// transformers' modeling_codegen.py:
//   - no position embedding table: token embeddings only; positions enter through a rotary
//     embedding on the first rotary_dim channels of each query and key head, GPT-J style
//     (interleaved pairs: (x0, x1) -> (x0·cos − x1·sin, x1·cos + x0·sin); frequencies
//     10000^(−2i/rotary_dim), create_sinusoidal_positions), looked up by position_ids;
//   - qkv_proj without bias, its output laid out in mp_num = 4 groups of [query | value | key];
//   - one LayerNorm per block feeding attention and MLP in parallel:
//     h = h + attn(ln_1(h)) + mlp(ln_1(h)); out_proj without bias; fc_in/fc_out with bias, gelu_new;
//   - scores divided by √head_dim after masking; ln_f; an untied lm_head with bias.
// The cached key is the rotated one (as CodeGen caches it), so decoding with the cache equals
// recomputing the whole sequence.
import type { GraphDef } from '../../src/inference/onnx/protoWriter';
import {
  buildDecoderGraph,
  conv1d,
  geluNew,
  gpt2Cache,
  ints,
  int,
  layerNorm,
  MASKED_SCORE,
  param,
  type Ctx,
  type Gpt2Dims,
  type ModelLayout,
  type Positions,
  type WeightFactory,
} from './gpt2Graph';

/** CodeGen's qkv_proj output comes in this many groups (modeling_codegen.py: mp_num = 4). */
export const CODEGEN_MP_NUM = 4;

export interface CodegenDims extends Gpt2Dims {
  /** Channels of each head that rotate (config.json rotary_dim); even, at most the head size. */
  rotaryDim: number;
}

export function validateCodegenDims(dims: CodegenDims): void {
  const headDim = dims.nEmbd / dims.nHead;
  if (dims.nHead % CODEGEN_MP_NUM !== 0) throw new Error(`codegen: nHead (${dims.nHead}) must be a multiple of ${CODEGEN_MP_NUM} (qkv_proj is laid out in ${CODEGEN_MP_NUM} groups)`);
  if (!Number.isInteger(dims.rotaryDim) || dims.rotaryDim < 2 || dims.rotaryDim % 2 !== 0 || dims.rotaryDim > headDim) {
    throw new Error(`codegen: rotaryDim must be an even number from 2 to the head size ${headDim}, got ${dims.rotaryDim}`);
  }
}

/** sin and cos of position·10000^(−2i/R), each repeated for the pair (2i, 2i+1): two [nPositions, R] tables. */
export function rotaryTables(nPositions: number, rotaryDim: number): { sin: Float32Array; cos: Float32Array } {
  const sin = new Float32Array(nPositions * rotaryDim);
  const cos = new Float32Array(nPositions * rotaryDim);
  for (let p = 0; p < nPositions; p++) {
    for (let i = 0; i < rotaryDim / 2; i++) {
      // Single precision, as torch computes inv_freq and the outer product.
      const angle = Math.fround(p * Math.fround(1 / Math.pow(10000, (2 * i) / rotaryDim)));
      sin[p * rotaryDim + 2 * i] = sin[p * rotaryDim + 2 * i + 1] = Math.sin(angle);
      cos[p * rotaryDim + 2 * i] = cos[p * rotaryDim + 2 * i + 1] = Math.cos(angle);
    }
  }
  return { sin, cos };
}

interface Rotary {
  /** [.., seq, 1, R]: broadcast over the heads of [batch, seq, heads, R]. */
  sin: string;
  cos: string;
  dim: number;
}

function rotaryFor(ctx: Ctx, dims: CodegenDims, positions: Positions): Rotary {
  const { g } = ctx;
  const { sin, cos } = rotaryTables(dims.nPositions, dims.rotaryDim);
  const table = (name: string, data: Float32Array) =>
    g.op('Unsqueeze', [g.op('Gather', [g.param(name, [dims.nPositions, dims.rotaryDim], data), positions.ids], { axis: int(0) }), g.int64([-2])]);
  return { sin: table('transformer.rotary_sin', sin), cos: table('transformer.rotary_cos', cos), dim: dims.rotaryDim };
}

/** x [batch, seq, heads, head_dim] with its first R channels rotated. */
function applyRotary(ctx: Ctx, x: string, rot: Rotary, headDim: number): string {
  const { g } = ctx;
  const r = rot.dim;
  const head = r === headDim ? x : g.op('Slice', [x, g.int64([0]), g.int64([r]), g.int64([3])]);
  // rotate_every_two: (x0, x1, x2, x3, …) -> (−x1, x0, −x3, x2, …), over pairs of the last axis.
  const pairs = g.op('Reshape', [head, g.int64([0, 0, 0, r / 2, 2])]);
  const [even, odd] = g.opN('Split', [pairs, g.int64([1, 1])], 2, { axis: int(4) });
  const rotated = g.op('Reshape', [g.op('Concat', [g.op('Neg', [odd]), even], { axis: int(4) }), g.int64([0, 0, 0, r])]);
  const out = g.op('Add', [g.op('Mul', [head, rot.cos]), g.op('Mul', [rotated, rot.sin])]);
  if (r === headDim) return out;
  return g.op('Concat', [out, g.op('Slice', [x, g.int64([r]), g.int64([headDim]), g.int64([3])])], { axis: int(3) });
}

function attention(ctx: Ctx, dims: CodegenDims, x: string, layer: number, past: { key: string; value: string }, rot: Rotary, allowed: string): string {
  const { g } = ctx;
  const { nEmbd, nHead } = dims;
  const headDim = nEmbd / nHead;
  const prefix = `transformer.h.${layer}.attn`;
  const qkv = g.op('MatMul', [x, param(ctx, `${prefix}.qkv_proj.weight`, [nEmbd, 3 * nEmbd], 'matrix')]);
  // [b, s, 3E] -> [b, s, mp_num, 3E/mp_num], each group holding query, value, key in that order.
  const groups = g.op('Reshape', [qkv, g.int64([0, 0, CODEGEN_MP_NUM, -1])]);
  const local = nEmbd / CODEGEN_MP_NUM;
  const [q, v, k] = g.opN('Split', [groups, g.int64([local, local, local])], 3, { axis: int(3) });
  // [b, s, mp_num, E/mp_num] -> [b, s, heads, head_dim]: head h is group h / (heads/mp_num).
  const heads = (t: string) => g.op('Reshape', [t, g.int64([0, 0, nHead, headDim])]);
  const toBhtd = (t: string) => g.op('Transpose', [t], { perm: ints([0, 2, 1, 3]) });
  const query = toBhtd(applyRotary(ctx, heads(q), rot, headDim));
  const key = g.op('Concat', [past.key, toBhtd(applyRotary(ctx, heads(k), rot, headDim))], { axis: int(2) }, `present.${layer}.key`);
  const value = g.op('Concat', [past.value, toBhtd(heads(v))], { axis: int(2) }, `present.${layer}.value`);
  const scores = g.op('MatMul', [query, g.op('Transpose', [key], { perm: ints([0, 1, 3, 2]) })]);
  const masked = g.op('Where', [allowed, scores, g.float(MASKED_SCORE)]);
  const probs = g.op('Softmax', [g.op('Mul', [masked, g.float(1 / Math.sqrt(headDim))])], { axis: int(-1) });
  const merged = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, value])], { perm: ints([0, 2, 1, 3]) }), g.int64([0, 0, nEmbd])]);
  return g.op('MatMul', [merged, param(ctx, `${prefix}.out_proj.weight`, [nEmbd, nEmbd], 'residualProjection')]);
}

function mlp(ctx: Ctx, x: string, layer: number): string {
  const n = ctx.dims.nEmbd;
  const prefix = `transformer.h.${layer}.mlp`;
  const hidden = geluNew(ctx.g, conv1d(ctx, x, `${prefix}.fc_in`, n, 4 * n, 'matrix'));
  return conv1d(ctx, hidden, `${prefix}.fc_out`, 4 * n, n, 'residualProjection');
}

export function buildCodegenGraph(dims: CodegenDims, layout: ModelLayout, weights: WeightFactory): GraphDef {
  validateCodegenDims(dims);
  // CodeGen's cache is GPT-2's: names, shapes, symbolic dims.
  return buildDecoderGraph('codegen', dims, layout, gpt2Cache(dims), weights, (ctx, past, positions) => {
    const { g } = ctx;
    const allowed = g.op('And', [positions.causal, positions.padding]);
    const rot = rotaryFor(ctx, dims, positions);
    let h = g.op('Gather', [param(ctx, 'transformer.wte.weight', [dims.vocabSize, dims.nEmbd], 'wte'), 'input_ids'], { axis: int(0) });
    for (let i = 0; i < dims.nLayer; i++) {
      const x = layerNorm(ctx, h, `transformer.h.${i}.ln_1`);
      const attn = attention(ctx, dims, x, i, { key: past[2 * i], value: past[2 * i + 1] }, rot, allowed);
      h = g.op('Add', [g.op('Add', [attn, mlp(ctx, x, i)]), h]);
    }
    const y = layerNorm(ctx, h, 'transformer.ln_f');
    const headWeight = param(ctx, 'lm_head.weight', [dims.nEmbd, dims.vocabSize], 'lmHead');
    g.op('Add', [g.op('MatMul', [y, headWeight]), param(ctx, 'lm_head.bias', [dims.vocabSize], 'bias')], undefined, 'logits');
  });
}
