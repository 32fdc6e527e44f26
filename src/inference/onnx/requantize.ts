// Int8 weights that fit a CPU whose int8 sums saturate at 16 bits (../int8Kernel.ts): every int8
// weight matrix of a dynamically quantized matmul that goes beyond ±64 is halved (q → q/2, ties to
// even) and the scale it is multiplied by doubled, which is what quantize_dynamic's reduce_range
// would have written: one bit of the weights' precision for products that never overflow.
//
// The matmuls this knows, as the hub's int8 exports carry them:
// - MatMulInteger(x_q, W_q, x_zero, W_zero) → Cast → Mul(·, S), S = W_scale or Mul(x_scale, W_scale)
//   (onnxruntime.quantization.quantize_dynamic; ONNX Runtime fuses it into DynamicQuantizeMatMul);
// - com.microsoft DynamicQuantizeMatMul(A, B, b_scale, b_zero_point?, bias?) and
//   MatMulIntegerToFloat(A, B, a_scale, b_scale, a_zero_point?, b_zero_point?, bias?) (pre-fused).
// Anything else holding an int8 initializer beyond ±64 (a subgraph, another op, an asymmetric
// weight, external data) makes the graph one this cannot fix, and says which.
import { SAFE_INT8_WEIGHT } from '../int8Kernel';
import { readTensor, type OnnxGraph, type OnnxNode, type Tensor } from './graph';
import { DataType, encodeTensor } from './protoWriter';

export type Requantized =
  | { readonly kind: 'unchanged'; readonly why: string }
  | { readonly kind: 'requantized'; readonly matrices: number; readonly largestBefore: number }
  | { readonly kind: 'impossible'; readonly why: string };

const int8View = (raw: Uint8Array) => new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);

function largestMagnitude(raw: Uint8Array): number {
  let max = 0;
  for (const v of int8View(raw)) max = Math.max(max, v < 0 ? -v : v);
  return max;
}

/** q → q/2 rounded half to even: ±127 → ±64, ±125 → ±62, so no rounding direction is favoured. */
const HALF = Int8Array.from({ length: 256 }, (_, i) => {
  const q = i < 128 ? i : i - 256;
  const floor = Math.floor(q / 2);
  return q % 2 === 0 ? q / 2 : floor % 2 === 0 ? floor : floor + 1;
});

/** One dynamically quantized matmul: its int8 weight and the initializer its scale comes from. */
interface Product {
  readonly node: OnnxNode;
  readonly weight: string;
  readonly scale: string;
  /** The node that reads `scale`. */
  readonly scaleReader: OnnxNode;
}

type Found = { product: Product } | { why: string };

class Index {
  readonly consumers = new Map<string, OnnxNode[]>();
  readonly producers = new Map<string, OnnxNode>();

  constructor(readonly graph: OnnxGraph) {
    for (const n of graph.nodes) {
      for (const i of n.inputs) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
      for (const o of n.outputs) if (o) this.producers.set(o, n);
    }
  }

  tensor(name: string | undefined): Tensor | undefined {
    const payload = name ? this.graph.initializers.get(name) : undefined;
    return payload ? readTensor(payload) : undefined;
  }

  isFloat(name: string | undefined): name is string {
    return this.tensor(name)?.dataType === DataType.FLOAT;
  }

  /** No zero point, or an all-zero int8 one: the weights are symmetric, so halving them is exact in meaning. */
  symmetric(zeroPoint: string | undefined): boolean {
    if (!zeroPoint) return true;
    const t = this.tensor(zeroPoint);
    return !!t?.raw && t.dataType === DataType.INT8 && t.raw.every((b) => b === 0);
  }

  only(name: string, opType: string): OnnxNode | undefined {
    const readers = this.consumers.get(name) ?? [];
    return readers.length === 1 && readers[0].opType === opType ? readers[0] : undefined;
  }
}

function productOf(node: OnnxNode, index: Index): Found {
  const weight = node.inputs[1];
  const fused = node.domain === 'com.microsoft' ? { DynamicQuantizeMatMul: [2, 3], MatMulIntegerToFloat: [3, 5] }[node.opType] : undefined;
  if (fused) {
    const [scaleAt, zeroAt] = fused;
    const scale = node.inputs[scaleAt];
    if (!index.isFloat(scale)) return { why: `${node.opType} ${node.name}: its weight scale is not a float initializer` };
    if (!index.symmetric(node.inputs[zeroAt])) return { why: `${node.opType} ${node.name}: its weights have a zero point` };
    return { product: { node, weight, scale, scaleReader: node } };
  }
  if (node.opType !== 'MatMulInteger' || node.domain !== '') return { why: `${node.opType} ${node.name} reads int8 weights this cannot rescale` };
  if (!index.symmetric(node.inputs[3])) return { why: `MatMulInteger ${node.name}: its weights have a zero point` };
  // MatMulInteger → Cast → Mul(·, S): S is the scale initializer, or Mul(x_scale, W_scale).
  const cast = index.only(node.outputs[0], 'Cast');
  const mul = cast && index.only(cast.outputs[0], 'Mul');
  const other = mul?.inputs.find((i) => i !== cast!.outputs[0]);
  if (mul && index.isFloat(other)) return { product: { node, weight, scale: other, scaleReader: mul } };
  const scales = other ? index.producers.get(other) : undefined;
  const scale = scales?.opType === 'Mul' ? scales.inputs.find((i) => index.isFloat(i)) : undefined;
  if (scales && scale) return { product: { node, weight, scale, scaleReader: scales } };
  return { why: `MatMulInteger ${node.name}: no Cast → Mul by a constant scale follows it` };
}

/** Halves the int8 matmul weights beyond ±64 and doubles their scales, in place; nothing changes unless all of them can be. */
export function requantizeInt8Weights(graph: OnnxGraph): Requantized {
  const index = new Index(graph);
  const wide = new Map<string, number>();
  for (const [name, payload] of graph.initializers) {
    const t = readTensor(payload);
    if (t.dataType !== DataType.INT8) continue;
    if (!t.raw) return { kind: 'impossible', why: `the int8 initializer ${name} is in external data` };
    const largest = largestMagnitude(t.raw);
    if (largest > SAFE_INT8_WEIGHT) wide.set(name, largest);
  }
  if (wide.size === 0) return { kind: 'unchanged', why: `its int8 weights are within ±${SAFE_INT8_WEIGHT}` };
  const products: Product[] = [];
  for (const name of wide.keys()) {
    const readers = index.consumers.get(name) ?? [];
    // Dequantized weights (an int8 embedding table) become floats exactly: no integer sum to overflow.
    const summed = readers.filter((n) => !(n.opType === 'DequantizeLinear' && n.inputs[0] === name));
    if (readers.length === 0) return { kind: 'impossible', why: `the int8 initializer ${name} is read only inside a subgraph` };
    for (const node of summed) {
      if (node.inputs[1] !== name) return { kind: 'impossible', why: `${node.opType} ${node.name} reads the int8 ${name} as its activation` };
      const found = productOf(node, index);
      if ('why' in found) return { kind: 'impossible', why: found.why };
      products.push(found.product);
    }
  }
  // A scale is doubled for all that read it: each reader must be one of the products being halved.
  const halve = new Set(products.map((p) => p.weight));
  const scales = new Set(products.map((p) => p.scale));
  for (const scale of scales) {
    const stranger = (index.consumers.get(scale) ?? []).find((reader) => !products.some((p) => p.scaleReader === reader));
    if (stranger) return { kind: 'impossible', why: `the scale ${scale} is also read by ${stranger.opType} ${stranger.name}` };
  }
  for (const name of halve) {
    if ((index.consumers.get(name) ?? []).some((n) => n.opType === 'DequantizeLinear')) return { kind: 'impossible', why: `the int8 ${name} is also dequantized with a scale of its own` };
  }
  for (const name of halve) rewriteWeight(graph, name);
  for (const name of scales) rewriteScale(graph, name);
  return { kind: 'requantized', matrices: halve.size, largestBefore: Math.max(...wide.values()) };
}

function rewriteWeight(graph: OnnxGraph, name: string): void {
  const t = readTensor(graph.initializers.get(name)!);
  const half = new Int8Array(t.raw!.length);
  const q = int8View(t.raw!);
  for (let i = 0; i < q.length; i++) half[i] = HALF[q[i] & 0xff];
  graph.initializers.set(name, encodeTensor({ name, dataType: DataType.INT8, dims: t.dims, raw: new Uint8Array(half.buffer) }).toBytes());
}

function rewriteScale(graph: OnnxGraph, name: string): void {
  const t = readTensor(graph.initializers.get(name)!);
  const scale = Buffer.from(t.raw!);
  for (let i = 0; i + 4 <= scale.length; i += 4) scale.writeFloatLE(2 * scale.readFloatLE(i), i);
  graph.initializers.set(name, encodeTensor({ name, dataType: DataType.FLOAT, dims: t.dims, raw: scale }).toBytes());
}
