// Builds the GPT-2 forward pass (with KV cache) as an ONNX graph carrying the I/O signature of an
// Optimum export, in three layouts: `model` (current single-file export), `merged` (older
// decoder_model_merged.onnx with a use_cache_branch If node) and `legacy` (no position_ids input).
// The skeleton (inputs, outputs, positions and mask, the merged If) is shared with the other
// architectures' graphs (codegenGraph.ts, gptBigcodeGraph.ts) through buildDecoderGraph.
import { endianness } from 'node:os';
import type { AttrValue, DataTypeCode, Dim, GraphDef, NodeDef, TensorDef, ValueInfoDef } from '../../src/inference/onnx/protoWriter';
import { DataType } from '../../src/inference/onnx/protoWriter';

export type ModelLayout = 'model' | 'merged' | 'legacy';

export interface Gpt2Dims {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  nPositions: number;
  vocabSize: number;
  layerNormEpsilon: number;
}

/** What a parameter is, so the caller can pick its initialisation. */
/** lmHead: an untied output projection [n_embd, vocab] (CodeGen). attnBias: Qwen2's q/k/v biases (not zero, so their wiring shows). */
export type ParamRole = 'wte' | 'wpe' | 'matrix' | 'residualProjection' | 'lmHead' | 'gamma' | 'beta' | 'bias' | 'attnBias';

export interface ParamSpec {
  name: string;
  dims: readonly number[];
  role: ParamRole;
}

export type WeightFactory = (spec: ParamSpec) => Float32Array;

// Symbolic dimension names as Optimum writes them.
export const BATCH = 'batch_size';
export const SEQ = 'sequence_length';
export const PAST = 'past_sequence_length';
export const TOTAL = 'past_sequence_length + sequence_length';

// Masked scores are replaced (not offset) by this, as transformers does with finfo(float32).min.
export const MASKED_SCORE = -3.4028234663852886e38;

export const FLOAT = DataType.FLOAT;
const INT64 = DataType.INT64;

/** Little-endian bytes of a typed array, as ONNX raw_data requires. */
function leBytes(a: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (endianness() === 'LE' || a.BYTES_PER_ELEMENT === 1) return bytes;
  const swapped = Buffer.from(bytes);
  if (a.BYTES_PER_ELEMENT === 4) swapped.swap32();
  else swapped.swap64();
  return swapped;
}

/** Accumulates nodes and initializers with generated unique value names. */
export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly initializers: TensorDef[] = [];
  private counter = 0;
  private readonly constants = new Map<string, string>();

  constructor(private readonly prefix = '') {}

  private fresh(base: string): string {
    return `${this.prefix}/${base}_${this.counter++}`;
  }

  op(opType: string, inputs: readonly string[], attrs?: Record<string, AttrValue>, output?: string): string {
    return this.opN(opType, inputs, 1, attrs, output ? [output] : undefined)[0];
  }

  opN(opType: string, inputs: readonly string[], n: number, attrs?: Record<string, AttrValue>, outputs?: string[]): string[] {
    const outs = outputs ?? Array.from({ length: n }, () => this.fresh(`${opType}_out`));
    this.nodes.push({ opType, inputs, outputs: outs, name: this.fresh(opType), attrs });
    return outs;
  }

  /** An int64 constant; `dims` [] makes a scalar. Identical constants are shared. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(INT64, dims, leBytes(BigInt64Array.from(values.map((v) => BigInt(v)))), `i64:${dims}:${values}`);
  }

  float(value: number): string {
    return this.constant(FLOAT, [], leBytes(Float32Array.of(value)), `f32:${value}`);
  }

  private constant(dataType: DataTypeCode, dims: readonly number[], raw: Uint8Array, key: string): string {
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh('const');
    this.initializers.push({ name, dataType, dims, raw });
    this.constants.set(key, name);
    return name;
  }

  param(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({ name, dataType: FLOAT, dims, raw: leBytes(data) });
    return name;
  }
}

export const ints = (value: readonly number[]): AttrValue => ({ kind: 'ints', value });
export const int = (value: number): AttrValue => ({ kind: 'int', value });

export interface Ctx {
  g: GraphBuilder;
  dims: Gpt2Dims;
  weights: WeightFactory;
}

export function param(ctx: Ctx, name: string, dims: readonly number[], role: ParamRole): string {
  const data = ctx.weights({ name, dims, role });
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`weights for ${name}: ${data.length} values, expected ${count}`);
  return ctx.g.param(name, dims, data);
}

export function layerNorm(ctx: Ctx, x: string, prefix: string): string {
  const n = ctx.dims.nEmbd;
  const gamma = param(ctx, `${prefix}.weight`, [n], 'gamma');
  const beta = param(ctx, `${prefix}.bias`, [n], 'beta');
  return ctx.g.op('LayerNormalization', [x, gamma, beta], {
    axis: int(-1),
    epsilon: { kind: 'float', value: ctx.dims.layerNormEpsilon },
  });
}

/** GPT-2's Conv1D: x @ W + b with W stored [in, out]. */
export function conv1d(ctx: Ctx, x: string, prefix: string, nIn: number, nOut: number, role: ParamRole): string {
  const w = param(ctx, `${prefix}.weight`, [nIn, nOut], role);
  const b = param(ctx, `${prefix}.bias`, [nOut], 'bias');
  return ctx.g.op('Add', [ctx.g.op('MatMul', [x, w]), b]);
}

/** gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), from primitive ops. */
export function geluNew(g: GraphBuilder, x: string): string {
  const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Add', [x, g.op('Mul', [cube, g.float(0.044715)])]);
  const t = g.op('Tanh', [g.op('Mul', [inner, g.float(Math.sqrt(2 / Math.PI))])]);
  return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [t, g.float(1)])]);
}

/** [b, s, n_embd] → [b, n_head, s, head_dim] */
function splitHeads(ctx: Ctx, x: string): string {
  const { nHead, nEmbd } = ctx.dims;
  const r = ctx.g.op('Reshape', [x, ctx.g.int64([0, 0, nHead, nEmbd / nHead])]);
  return ctx.g.op('Transpose', [r], { perm: ints([0, 2, 1, 3]) });
}

interface Past {
  key: string;
  value: string;
}

function attention(ctx: Ctx, x: string, layer: number, past: Past, allowed: string): string {
  const { g } = ctx;
  const { nEmbd, nHead } = ctx.dims;
  const prefix = `transformer.h.${layer}.attn`;
  const qkv = conv1d(ctx, x, `${prefix}.c_attn`, nEmbd, 3 * nEmbd, 'matrix');
  const [q, k, v] = g.opN('Split', [qkv, g.int64([nEmbd, nEmbd, nEmbd])], 3, { axis: int(2) });
  const key = g.op('Concat', [past.key, splitHeads(ctx, k)], { axis: int(2) }, `present.${layer}.key`);
  const value = g.op('Concat', [past.value, splitHeads(ctx, v)], { axis: int(2) }, `present.${layer}.value`);
  const scaledQ = g.op('Mul', [splitHeads(ctx, q), g.float(1 / Math.sqrt(nEmbd / nHead))]);
  const scores = g.op('MatMul', [scaledQ, g.op('Transpose', [key], { perm: ints([0, 1, 3, 2]) })]);
  const probs = g.op('Softmax', [g.op('Where', [allowed, scores, g.float(MASKED_SCORE)])], { axis: int(-1) });
  const merged = g.op('Transpose', [g.op('MatMul', [probs, value])], { perm: ints([0, 2, 1, 3]) });
  const flat = g.op('Reshape', [merged, g.int64([0, 0, nEmbd])]);
  return conv1d(ctx, flat, `${prefix}.c_proj`, nEmbd, nEmbd, 'residualProjection');
}

function mlp(ctx: Ctx, x: string, layer: number): string {
  const n = ctx.dims.nEmbd;
  const prefix = `transformer.h.${layer}.mlp`;
  const hidden = geluNew(ctx.g, conv1d(ctx, x, `${prefix}.c_fc`, n, 4 * n, 'matrix'));
  return conv1d(ctx, hidden, `${prefix}.c_proj`, 4 * n, n, 'residualProjection');
}

function block(ctx: Ctx, h: string, layer: number, past: Past, allowed: string): string {
  const prefix = `transformer.h.${layer}`;
  const afterAttn = ctx.g.op('Add', [h, attention(ctx, layerNorm(ctx, h, `${prefix}.ln_1`), layer, past, allowed)]);
  return ctx.g.op('Add', [afterAttn, mlp(ctx, layerNorm(ctx, afterAttn, `${prefix}.ln_2`), layer)]);
}

export interface Positions {
  /** Absolute positions of the new tokens, past_len .. past_len+seq-1, shape [seq]. */
  query: string;
  /** What the position embeddings are looked up by: position_ids [batch, seq], or `query` in the legacy layout. */
  ids: string;
  /** [seq, past+seq] bool: key position <= query position. */
  causal: string;
  /** [batch, 1, 1, past+seq] bool: attention_mask, where padding is false. */
  padding: string;
}

/** Positions from the past's length (read off the first cached tensor's `seqAxis`) and the mask inputs. */
function positionsAndMask(g: GraphBuilder, firstPast: string, seqAxis: number, layout: ModelLayout): Positions {
  const pastLen = g.op('Gather', [g.op('Shape', [firstPast]), g.int64([seqAxis], [])], { axis: int(0) });
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64([1], [])], { axis: int(0) });
  const total = g.op('Add', [pastLen, seqLen]);
  const one = g.int64([1], []);
  const query = g.op('Range', [pastLen, total, one]);
  const keys = g.op('Range', [g.int64([0], []), total, one]);
  const causal = g.op('LessOrEqual', [keys, g.op('Unsqueeze', [query, g.int64([1])])]);
  const padding = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: int(DataType.BOOL) }), g.int64([1, 2])]);
  return { query, ids: layout === 'legacy' ? query : 'position_ids', causal, padding };
}

/** The cache an architecture's export carries: names per slot, and each slot's shape. */
export interface CacheSpec {
  readonly slots: readonly { readonly past: string; readonly present: string }[];
  /** A slot's shape for a sequence length (the symbolic names Optimum writes). */
  shape(length: Dim): Dim[];
  /** The axis that grows with the sequence. */
  readonly seqAxis: number;
  /** The cached tensors' element type; float32 unless the export declares float16 (model_fp16.onnx). */
  readonly elemType?: DataTypeCode;
}

/**
 * Writes the architecture's forward pass: reads `past` (one tensor per slot, in slot order) and
 * the positions, and produces the outputs named `logits` and each slot's `present`.
 */
export type DecoderBody = (ctx: Ctx, past: readonly string[], positions: Positions) => void;

function branchGraph(name: string, cache: CacheSpec, length: Dim, body: (g: GraphBuilder, input: string) => string): GraphDef {
  const g = new GraphBuilder(name);
  const outputs: ValueInfoDef[] = cache.slots.map(({ past }) => ({ name: body(g, past), elemType: cache.elemType ?? FLOAT, shape: cache.shape(length) }));
  return { name, nodes: g.nodes, initializers: g.initializers, inputs: [], outputs };
}

/** merged layout: past passes through when use_cache_branch is true, else becomes zero-length. */
function selectPast(g: GraphBuilder, cache: CacheSpec): string[] {
  const withPast = branchGraph('use_cache', cache, PAST, (b, input) => b.op('Identity', [input]));
  const withoutPast = branchGraph('no_cache', cache, 0, (b, input) =>
    b.op('Slice', [input, b.int64([0]), b.int64([0]), b.int64([cache.seqAxis])]),
  );
  const outs = cache.slots.map(({ past }) => past.replace(/^past_key_values\./, 'past_selected.'));
  const branches: Record<string, AttrValue> = {
    then_branch: { kind: 'graph', value: withPast },
    else_branch: { kind: 'graph', value: withoutPast },
  };
  g.opN('If', ['use_cache_branch'], outs.length, branches, outs);
  return outs;
}

function graphInputs(cache: CacheSpec, layout: ModelLayout, extra: readonly ValueInfoDef[]): ValueInfoDef[] {
  const inputs: ValueInfoDef[] = [
    { name: 'input_ids', elemType: INT64, shape: [BATCH, SEQ] },
    { name: 'attention_mask', elemType: INT64, shape: [BATCH, TOTAL] },
  ];
  if (layout !== 'legacy') inputs.push({ name: 'position_ids', elemType: INT64, shape: [BATCH, SEQ] });
  for (const { past } of cache.slots) inputs.push({ name: past, elemType: cache.elemType ?? FLOAT, shape: cache.shape(PAST) });
  if (layout === 'merged') inputs.push({ name: 'use_cache_branch', elemType: DataType.BOOL, shape: [1] });
  return [...inputs, ...extra];
}

function graphOutputs(cache: CacheSpec, vocabSize: number): ValueInfoDef[] {
  const outputs: ValueInfoDef[] = [{ name: 'logits', elemType: FLOAT, shape: [BATCH, SEQ, vocabSize] }];
  for (const { present } of cache.slots) outputs.push({ name: present, elemType: cache.elemType ?? FLOAT, shape: cache.shape(TOTAL) });
  return outputs;
}

/** Inputs, outputs, positions, mask and (merged) the If node around an architecture's body; `extraInputs` after the cache's. */
export function buildDecoderGraph(name: string, dims: Gpt2Dims, layout: ModelLayout, cache: CacheSpec, weights: WeightFactory, body: DecoderBody, extraInputs: readonly ValueInfoDef[] = []): GraphDef {
  validateDims(dims);
  const g = new GraphBuilder(name);
  const ctx: Ctx = { g, dims, weights };
  const past = layout === 'merged' ? selectPast(g, cache) : cache.slots.map((s) => s.past);
  body(ctx, past, positionsAndMask(g, past[0], cache.seqAxis, layout));
  return {
    name: `${name}_${layout}`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: graphInputs(cache, layout, extraInputs),
    outputs: graphOutputs(cache, dims.vocabSize),
  };
}

export function validateDims(dims: Gpt2Dims): void {
  for (const key of ['nLayer', 'nHead', 'nEmbd', 'nPositions', 'vocabSize'] as const) {
    if (!Number.isInteger(dims[key]) || dims[key] < 1) throw new Error(`${key} must be a positive integer, got ${dims[key]}`);
  }
  if (dims.nEmbd % dims.nHead !== 0) throw new Error(`nEmbd (${dims.nEmbd}) must be divisible by nHead (${dims.nHead})`);
}

/** The tied output head: logits = h · wteᵀ, via Gemm so wte is stored once and never transposed. */
export function tiedLmHead(ctx: Ctx, h: string): string {
  const { g } = ctx;
  const rows = g.op('Reshape', [h, g.int64([-1, ctx.dims.nEmbd])]);
  const flat = g.op('Gemm', [rows, 'transformer.wte.weight'], { transB: int(1) });
  const shape = g.op('Concat', [g.op('Shape', ['input_ids']), g.int64([ctx.dims.vocabSize])], { axis: int(0) });
  return g.op('Reshape', [flat, shape], undefined, 'logits');
}

/** Token embeddings plus GPT-2's learned absolute position embeddings (gpt_bigcode has the same). */
export function tokenAndPositionEmbeddings(ctx: Ctx, positionIds: string): string {
  const { nEmbd, nPositions, vocabSize } = ctx.dims;
  const wte = param(ctx, 'transformer.wte.weight', [vocabSize, nEmbd], 'wte');
  const wpe = param(ctx, 'transformer.wpe.weight', [nPositions, nEmbd], 'wpe');
  const tokens = ctx.g.op('Gather', [wte, 'input_ids'], { axis: int(0) });
  return ctx.g.op('Add', [tokens, ctx.g.op('Gather', [wpe, positionIds], { axis: int(0) })]);
}

// ---- GPT-2 ------------------------------------------------------------------------------------

/** GPT-2's cache as Optimum exports it: past_key_values.{i}.key|value, [batch, n_head, seq, head_dim]. */
export function gpt2Cache(dims: Gpt2Dims): CacheSpec {
  return {
    slots: Array.from({ length: dims.nLayer }, (_, i) =>
      ['key', 'value'].map((kind) => ({ past: `past_key_values.${i}.${kind}`, present: `present.${i}.${kind}` })),
    ).flat(),
    shape: (length) => [BATCH, dims.nHead, length, dims.nEmbd / dims.nHead],
    seqAxis: 2,
  };
}

export function buildGpt2Graph(dims: Gpt2Dims, layout: ModelLayout, weights: WeightFactory): GraphDef {
  return buildDecoderGraph('gpt2', dims, layout, gpt2Cache(dims), weights, (ctx, past, positions) => {
    const allowed = ctx.g.op('And', [positions.causal, positions.padding]);
    let h = tokenAndPositionEmbeddings(ctx, positions.ids);
    for (let i = 0; i < dims.nLayer; i++) h = block(ctx, h, i, { key: past[2 * i], value: past[2 * i + 1] }, allowed);
    tiedLmHead(ctx, layerNorm(ctx, h, 'transformer.ln_f'));
  });
}
