// Dynamic int8 quantization of a generated fp32 graph, in the form onnxruntime.quantization.
// quantize_dynamic writes (and the hub's model_quantized.onnx files carry): every MatMul (or Gemm)
// whose B is a constant fp32 matrix becomes
//
//   x ─ DynamicQuantizeLinear ─┬─ x_q (uint8) ─────┐
//                              ├─ x_zero_point ────┤
//                              │   W_q (int8 [K,N]), W_zero_point (int8 [N], zeros)
//                              │                   MatMulInteger ─ Cast(float) ─ Mul ─ (+ bias Add)
//                              └─ x_scale ─ Mul(x_scale, W_scale [N]) ────────────┘
//
// with symmetric per-column (per output channel) weight scales. onnxruntime's optimizer (level
// 'extended' and above) fuses each chain into com.microsoft DynamicQuantizeMatMul: it needs one
// DynamicQuantizeLinear per MatMulInteger and the scale Mul's inputs in (x_scale, W_scale) order.
// Everything else (inputs, outputs, value names of the fp32 graph, the other initializers) is kept.
//
// The weights span ±64 (7 bits), as quantize_dynamic's reduce_range writes them, not ±127: on an
// x86 CPU without VNNI, ONNX Runtime's uint8 × int8 kernel adds pairs of products in saturating
// 16-bit lanes (AVX2 vpmaddubsw), and 255·127·2 overflows them where 255·64·2 = 32640 does not; with
// VNNI (vpdpbusd, 32-bit sums) both are exact. So ±64 gives the same integers on every x86 CPU.
// uint8 weights (the u8 × u8 kernel widens to 16 bits first, also exact) were measured slower, on
// one step's matmuls of GPT-2-small's shapes (bench/int8Matmul.ts, 2 threads, medians):
// with VNNI (this AMD EPYC) int8 3.9–4.5 ms vs uint8 5.1–6.3 ms at 1 row, 39 vs 83 ms at 128 rows;
// on the AVX2 kernels (run under valgrind, which hides AVX-512: emulated time, the ratio is what
// counts) 43 vs 141–181 ms at 1 row and 5.1 vs 10.2 s at 128 rows. 'full' (±127) stays for tests of
// the engine's own fix for hub files quantized that way (src/inference/onnx/requantize.ts).
import { endianness } from 'node:os';
import type { GraphDef, NodeDef, TensorDef } from '../../src/inference/onnx/protoWriter';
import { DataType } from '../../src/inference/onnx/protoWriter';


/** The largest |q| per weight range: 'reduced' is exact on every x86 CPU, 'full' only with VNNI. */
export type Int8Range = 'reduced' | 'full';
export const INT8_LIMIT: Readonly<Record<Int8Range, number>> = { reduced: 64, full: 127 };

/** fp32 elements of an initializer; a view where the bytes are little-endian and aligned. */
function floatsOf(t: TensorDef): Float32Array {
  const n = t.raw.length / 4;
  if (endianness() === 'LE' && t.raw.byteOffset % 4 === 0) return new Float32Array(t.raw.buffer, t.raw.byteOffset, n);
  const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function littleEndianFloats(a: Float32Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return endianness() === 'LE' ? bytes : Buffer.from(bytes).swap32();
}

/** A symmetric per-column int8 matrix [K, N]: w ≈ q · scale[column]. */
export interface Int8Matrix {
  q: Int8Array;
  scale: Float32Array;
}

/** Scales from each column's largest |w| (1 for an all-zero column, as onnxruntime does). */
function scalesFromMax(maxAbs: Float64Array, limit: number): { scale: Float32Array; inverse: Float64Array } {
  const scale = new Float32Array(maxAbs.length);
  const inverse = new Float64Array(maxAbs.length);
  for (let j = 0; j < maxAbs.length; j++) {
    scale[j] = maxAbs[j] > 0 ? maxAbs[j] / limit : 1;
    inverse[j] = 1 / scale[j];
  }
  return { scale, inverse };
}

// Rounding: w·inverse lies in [-limit·(1+ε), limit·(1+ε)] with limit ≤ 127, so v + 128.5 is positive
// and `| 0` floors it: ((v + 128.5) | 0) - 128 is Math.round(v), at a sixth of its cost here, and
// never leaves ±limit.
const ROUND_OFFSET = 128.5;
const ROUND_BACK = 128;

/** Quantizes w [K, N] (row-major) per column. */
export function quantizeColumns(w: Float32Array, k: number, n: number, range: Int8Range = 'reduced'): Int8Matrix {
  const maxAbs = new Float64Array(n);
  for (let r = 0; r < k; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) maxAbs[j] = Math.max(maxAbs[j], Math.abs(w[row + j]));
  }
  const { scale, inverse } = scalesFromMax(maxAbs, INT8_LIMIT[range]);
  const q = new Int8Array(k * n);
  for (let r = 0; r < k; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) q[row + j] = ((w[row + j] * inverse[j] + ROUND_OFFSET) | 0) - ROUND_BACK;
  }
  return { q, scale };
}

/** Quantizes wᵀ for w [N, K] (row-major): the result is [K, N], one scale per row of w. */
export function quantizeTransposed(w: Float32Array, n: number, k: number, range: Int8Range = 'reduced'): Int8Matrix {
  const maxAbs = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const row = j * k;
    let m = 0;
    for (let c = 0; c < k; c++) m = Math.max(m, Math.abs(w[row + c]));
    maxAbs[j] = m;
  }
  const { scale, inverse } = scalesFromMax(maxAbs, INT8_LIMIT[range]);
  const q = new Int8Array(k * n);
  // Tiles of rows of w, so the strided writes into q stay within a few cache lines per row of q.
  const TILE = 64;
  for (let j0 = 0; j0 < n; j0 += TILE) {
    const j1 = Math.min(n, j0 + TILE);
    for (let c = 0; c < k; c++) {
      const out = c * n;
      for (let j = j0; j < j1; j++) q[out + j] = ((w[j * k + c] * inverse[j] + ROUND_OFFSET) | 0) - ROUND_BACK;
    }
  }
  return { q, scale };
}

const bytesOf = (a: Int8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

interface Rewrite {
  nodes: NodeDef[];
  floats: TensorDef[];
  bytes: TensorDef[];
}

/**
 * The dynamic-quantization chain for y = x · W (+ bias), W [K, N] given as int8 with per-column
 * scales; `base` names the new initializers, `node` names the new nodes and values.
 */
function integerMatMul(x: string, y: string, m: Int8Matrix, k: number, n: number, base: string, node: string, bias?: string): Rewrite {
  const wq = `${base}_quantized`;
  const wScale = `${base}_scale`;
  const wZero = `${base}_zero_point`;
  const [xq, xScale, xZero] = [`${node}/x_quantized`, `${node}/x_scale`, `${node}/x_zero_point`];
  const product = `${node}/MatMulInteger_output`;
  const asFloat = `${node}/Cast_output`;
  const scales = `${node}/scales_mul_output`;
  const scaled = bias ? `${node}/Mul_output` : y;
  const nodes: NodeDef[] = [
    { opType: 'DynamicQuantizeLinear', inputs: [x], outputs: [xq, xScale, xZero], name: `${node}/DynamicQuantizeLinear` },
    { opType: 'MatMulInteger', inputs: [xq, wq, xZero, wZero], outputs: [product], name: `${node}/MatMulInteger` },
    { opType: 'Cast', inputs: [product], outputs: [asFloat], name: `${node}/Cast`, attrs: { to: { kind: 'int', value: DataType.FLOAT } } },
    { opType: 'Mul', inputs: [xScale, wScale], outputs: [scales], name: `${node}/scales_mul` },
    { opType: 'Mul', inputs: [asFloat, scales], outputs: [scaled], name: `${node}/Mul` },
  ];
  if (bias) nodes.push({ opType: 'Add', inputs: [scaled, bias], outputs: [y], name: `${node}/Add` });
  return {
    nodes,
    floats: [{ name: wScale, dataType: DataType.FLOAT, dims: [n], raw: littleEndianFloats(m.scale) }],
    bytes: [
      { name: wq, dataType: DataType.INT8, dims: [k, n], raw: bytesOf(m.q) },
      { name: wZero, dataType: DataType.INT8, dims: [n], raw: new Uint8Array(n) },
    ],
  };
}

const intAttr = (node: NodeDef, name: string, fallback: number): number => {
  const a = node.attrs?.[name];
  return a?.kind === 'int' ? a.value : fallback;
};
const floatAttr = (node: NodeDef, name: string, fallback: number): number => {
  const a = node.attrs?.[name];
  return a?.kind === 'float' ? a.value : fallback;
};

function constantMatrix(initializers: Map<string, TensorDef>, name: string | undefined): TensorDef | undefined {
  const t = name === undefined ? undefined : initializers.get(name);
  return t && t.dataType === DataType.FLOAT && t.dims.length === 2 ? t : undefined;
}

function rewriteNode(node: NodeDef, initializers: Map<string, TensorDef>, done: Map<string, Int8Matrix>, range: Int8Range): Rewrite | undefined {
  const [x, b, c] = node.inputs;
  const w = constantMatrix(initializers, b);
  if (!w || initializers.has(x) || node.outputs.length !== 1) return undefined;
  if (node.opType === 'MatMul' && node.inputs.length === 2) {
    const [k, n] = w.dims;
    const m = done.get(w.name) ?? quantizeColumns(floatsOf(w), k, n, range);
    done.set(w.name, m);
    return integerMatMul(x, node.outputs[0], m, k, n, w.name, node.name);
  }
  // Gemm: y = x · op(B) (+ C), only as the plain product (alpha 1, no transA, C added once).
  if (node.opType === 'Gemm' && intAttr(node, 'transA', 0) === 0 && floatAttr(node, 'alpha', 1) === 1) {
    const bias = c || undefined;
    if (bias && floatAttr(node, 'beta', 1) !== 1) return undefined;
    const transB = intAttr(node, 'transB', 0) === 1;
    const [k, n] = transB ? [w.dims[1], w.dims[0]] : w.dims;
    const base = transB ? `${w.name}_transposed` : w.name;
    const m = done.get(base) ?? (transB ? quantizeTransposed(floatsOf(w), n, k, range) : quantizeColumns(floatsOf(w), k, n, range));
    done.set(base, m);
    return integerMatMul(x, node.outputs[0], m, k, n, base, node.name, bias);
  }
  return undefined;
}

/** Value names a graph's nodes read, through If/Loop bodies too. */
function namesRead(graph: GraphDef, into = new Set<string>()): Set<string> {
  for (const node of graph.nodes) {
    for (const input of node.inputs) into.add(input);
    for (const attr of Object.values(node.attrs ?? {})) if (attr.kind === 'graph') namesRead(attr.value, into);
  }
  return into;
}

/** Rewrites the top-level MatMul/Gemm nodes with constant fp32 B into int8 dynamic-quantized chains. */
export function quantizeGraph(graph: GraphDef, range: Int8Range = 'reduced'): GraphDef {
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const done = new Map<string, Int8Matrix>();
  const nodes: NodeDef[] = [];
  const added: TensorDef[] = [];
  const written = new Set<string>();
  for (const node of graph.nodes) {
    const r = rewriteNode(node, initializers, done, range);
    if (!r) {
      nodes.push(node);
      continue;
    }
    nodes.push(...r.nodes);
    // A matrix read by several nodes is stored once.
    for (const t of [...r.floats, ...r.bytes]) {
      if (!written.has(t.name)) added.push(t);
      written.add(t.name);
    }
  }
  const rewritten: GraphDef = { ...graph, name: `${graph.name}_quantized`, nodes, initializers: [] };
  const read = namesRead(rewritten);
  const kept = graph.initializers.filter((t) => read.has(t.name));
  return { ...rewritten, initializers: [...kept, ...added] };
}
