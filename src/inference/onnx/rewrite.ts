// The graph rewrite behind a prepared model: the past comes in sequence-outer ([batch, past,
// channels], a prefix view of an engine-owned buffer), only the new tokens' keys and values go
// out, and logits only for the last position (the head runs on one row, not on every position).
// Generic over the exports the engine reads: it never assumes how attention is built inside.
import { endianness } from 'node:os';
import { MATRIX_OPS, maskScoresAsBias } from './maskAsBias';
import { ancestry, graphAttribute, hasSubgraph, renameTensor, tensorDims, type OnnxGraph, type OnnxModel, type OnnxNode } from './graph';
import { DataType, encodeTensor, type AttrValue } from './protoWriter';

/** One cached tensor per entry: GPT-2 has a key and a value per layer, gpt_bigcode one fused one. */
export interface KvSlot {
  readonly past: string;
  readonly present: string;
  /** 'BHTD': [batch, heads, seq, headDim] as Optimum's GPT-2 exports; 'BTC': [batch, seq, channels]. */
  readonly layout: 'BHTD' | 'BTC';
  readonly heads: number;
  readonly headDim: number;
}

export interface RewriteSpec {
  readonly slots: readonly KvSlot[];
  readonly vocabSize: number;
}

/** Names of the prepared graph's own I/O. */
export const PREPARED = {
  past: (i: number) => `gw_past.${i}`,
  present: (i: number) => `gw_new.${i}`,
  logits: 'logits',
} as const;

export interface RewriteResult {
  /** 'head': the LM head runs on the last position only; 'output': it runs on all, only the last row is returned. */
  readonly logits: 'head' | 'output';
  readonly inlinedBranch: boolean;
  /** How many score masks became an added bias (maskAsBias). */
  readonly maskedAsBias: number;
}

export class RewriteError extends Error {}

const INT64_MAX = 9223372036854775807n;
const MIN_OPSET = 13;

/**
 * Weights in external data files (model.onnx + model.onnx_data) stay there: the rewrite copies
 * their references as they are, so the prepared graph is loaded with the original's folder as
 * the place to find them (session.ts).
 */
export function rewriteForCache(model: OnnxModel, spec: RewriteSpec): RewriteResult {
  if (model.opset < MIN_OPSET) throw new RewriteError(`opset ${model.opset} is older than ${MIN_OPSET}`);
  const b = new Builder(model.graph);
  const inlinedBranch = inlineCacheBranch(b);
  keepOneLogitRow(b);
  const maskedAsBias = maskScoresAsBias(b);
  rewritePast(b, spec);
  rewritePresent(b, spec);
  const logits = sliceLogits(b, spec.vocabSize);
  b.graph.nodes = topologicalOrder(b.graph);
  return { logits, inlinedBranch, maskedAsBias };
}

/** Adds nodes and int64 constants with fresh names. */
export class Builder {
  private counter = 0;

  constructor(readonly graph: OnnxGraph) {}

  fresh(base: string): string {
    return `gw/${base}_${this.counter++}`;
  }

  op(opType: string, inputs: string[], output?: string, attrs?: Record<string, AttrValue>): string {
    const out = output ?? this.fresh(opType);
    this.graph.nodes.push({ opType, domain: '', name: this.fresh(`${opType}_node`), inputs, outputs: [out], rawAttrs: [], newAttrs: attrs });
    return out;
  }

  int64(values: readonly bigint[]): string {
    const name = this.fresh('const');
    const data = BigInt64Array.from(values);
    const raw = new Uint8Array(data.buffer);
    if (endianness() !== 'LE') Buffer.from(raw.buffer).swap64();
    this.graph.initializers.set(name, encodeTensor({ name, dataType: DataType.INT64, dims: [values.length], raw }).toBytes());
    return name;
  }

  /** An int64 initializer under a given name; `dims` [] for a scalar. */
  int64Named(name: string, value: bigint, dims: readonly number[]): void {
    const raw = new Uint8Array(BigInt64Array.of(value).buffer);
    if (endianness() !== 'LE') Buffer.from(raw.buffer).swap64();
    this.graph.initializers.set(name, encodeTensor({ name, dataType: DataType.INT64, dims, raw }).toBytes());
  }

  bool(name: string, value: boolean): void {
    this.graph.initializers.set(name, encodeTensor({ name, dataType: DataType.BOOL, dims: [1], raw: Uint8Array.of(value ? 1 : 0) }).toBytes());
  }

  /** Slice `x` along `axis` from `start` (a tensor name or a number) to the end. */
  sliceFrom(x: string, start: string | number, axis: number, output?: string): string {
    const starts = typeof start === 'number' ? this.int64([BigInt(start)]) : start;
    return this.op('Slice', [x, starts, this.int64([INT64_MAX]), this.int64([BigInt(axis)])], output);
  }

  producers(): Map<string, OnnxNode> {
    const map = new Map<string, OnnxNode>();
    for (const n of this.graph.nodes) for (const o of n.outputs) if (o) map.set(o, n);
    return map;
  }

  replaceInput(from: string, to: string, nodes: Iterable<OnnxNode> = this.graph.nodes): void {
    for (const n of nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  }
}

/**
 * Merged decoders choose the with-past branch by `use_cache_branch`. With an explicit
 * zero-length past the with-past branch computes the first step too, so it is inlined and the
 * flag disappears.
 */
function inlineCacheBranch(b: Builder): boolean {
  const g = b.graph;
  if (!g.inputs.some((v) => v.name === 'use_cache_branch')) return false;
  const ifs = g.nodes.filter((n) => n.opType === 'If' && n.inputs[0] === 'use_cache_branch');
  for (const node of ifs) {
    const branch = graphAttribute(node, 'then_branch');
    if (!branch) throw new RewriteError('an If node on use_cache_branch has no then_branch');
    if (branch.nodes.some(hasSubgraph)) throw new RewriteError('the with-past branch has nested subgraphs');
    const local = new Map<string, string>();
    const prefix = b.fresh('then');
    for (const n of branch.nodes) for (const o of n.outputs) if (o) local.set(o, `${prefix}/${o}`);
    for (const name of branch.initializers.keys()) local.set(name, `${prefix}/${name}`);
    for (const [name, payload] of branch.initializers) g.initializers.set(local.get(name)!, renameTensor(payload, local.get(name)!));
    const rename = (t: string) => local.get(t) ?? t;
    for (const n of branch.nodes) g.nodes.push({ ...n, name: `${prefix}/${n.name}`, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) });
    branch.outputs.forEach((out, i) => {
      if (node.outputs[i]) b.op('Identity', [rename(out.name)], node.outputs[i]);
    });
    g.nodes.splice(g.nodes.indexOf(node), 1);
  }
  g.inputs = g.inputs.filter((v) => v.name !== 'use_cache_branch');
  // Anything else that still reads the flag sees "with past".
  if (g.nodes.some((n) => n.inputs.includes('use_cache_branch'))) b.bool('use_cache_branch', true);
  return ifs.length > 0;
}

/**
 * Exports that take num_logits_to_keep (transformers.js feeds it where a session declares it)
 * compute the head for that many last positions; the prepared graph needs one, so the input
 * becomes the constant 1.
 */
function keepOneLogitRow(b: Builder): void {
  const g = b.graph;
  if (!g.inputs.some((v) => v.name === NUM_LOGITS_TO_KEEP)) return;
  g.inputs = g.inputs.filter((v) => v.name !== NUM_LOGITS_TO_KEEP);
  b.int64Named(NUM_LOGITS_TO_KEEP, 1n, []);
}

/** The optional input some exports have: how many last positions get logits (0: all). */
export const NUM_LOGITS_TO_KEEP = 'num_logits_to_keep';

/** gw_past.i [batch, past, H·D] -> the export's own past tensor, inside the graph. */
function rewritePast(b: Builder, spec: RewriteSpec): void {
  const g = b.graph;
  spec.slots.forEach((slot, i) => {
    const input = g.inputs.find((v) => v.name === slot.past);
    if (!input) throw new RewriteError(`the graph has no input ${slot.past}`);
    const name = PREPARED.past(i);
    g.inputs = g.inputs.map((v) => (v.name === slot.past ? { name, elemType: v.elemType } : v));
    if (slot.layout === 'BTC') {
      b.op('Identity', [name], slot.past);
      return;
    }
    const split = b.op('Reshape', [name, b.int64([0n, 0n, BigInt(slot.heads), BigInt(slot.headDim)])]);
    b.op('Transpose', [split], slot.past, { perm: { kind: 'ints', value: [0, 2, 1, 3] } });
  });
}

/** present [batch, …, past+new, …] -> gw_new.i [batch, new, channels]: only what the engine appends. */
function rewritePresent(b: Builder, spec: RewriteSpec): void {
  const g = b.graph;
  const produced = b.producers();
  // Every past has the same length: read it once from the first.
  const pastLen = b.op('Slice', [b.op('Shape', [PREPARED.past(0)]), b.int64([1n]), b.int64([2n]), b.int64([0n])]);
  const outputs = g.outputs.filter((v) => v.name === PREPARED.logits);
  if (outputs.length === 0) throw new RewriteError('the graph has no output "logits"');
  spec.slots.forEach((slot, i) => {
    const out = g.outputs.find((v) => v.name === slot.present);
    if (!out || !produced.has(slot.present)) throw new RewriteError(`the graph has no output ${slot.present}`);
    const name = PREPARED.present(i);
    if (slot.layout === 'BTC') {
      b.sliceFrom(slot.present, pastLen, 1, name);
    } else {
      const fresh = b.sliceFrom(slot.present, pastLen, 2);
      b.op('Reshape', [b.op('Transpose', [fresh], undefined, { perm: { kind: 'ints', value: [0, 2, 1, 3] } }), b.int64([0n, 0n, -1n])], name);
    }
    outputs.push({ name, elemType: out.elemType });
  });
  g.outputs = outputs;
}

// Ops that act on each position independently, so the head may run on the last row alone.
const POSITIONWISE = new Set([
  'MatMul', 'Gemm', 'MatMulInteger', 'DynamicQuantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'MatMulNBits',
  'Cast', 'Mul', 'Add', 'Sub', 'Div', 'Tanh', 'Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Shape', 'Gather', 'Concat', 'Slice',
]);
const HEAD_OPS: ReadonlySet<string> = new Set(MATRIX_OPS);

/**
 * Finds the LM head (the matrix product whose constant weight has a vocab-sized dimension,
 * nearest to `logits`) and slices its input to the last position. When the region between the
 * head's input and `logits` holds anything not position-wise, only the output is sliced.
 */
function sliceLogits(b: Builder, vocabSize: number): 'head' | 'output' {
  const g = b.graph;
  const produced = b.producers();
  const consts = constness(g, produced);
  const head = findHead(g, produced, consts, vocabSize);
  if (head) {
    const region = between(head.input, PREPARED.logits, g, produced);
    const ok = [...region].every((n) => POSITIONWISE.has(n.opType) && n.domain === '');
    const sources = ok ? outsideInputs(region, head.input, consts, produced) : undefined;
    if (sources) {
      const ids = b.sliceFrom('input_ids', -1, 1);
      for (const s of sources) b.replaceInput(s.tensor, cloneShapeOf(b, s, ids), region);
      b.replaceInput(head.input, b.sliceFrom(head.input, -1, -2), region);
      return 'head';
    }
  }
  const all = b.fresh('logits_all');
  for (const n of g.nodes) n.outputs = n.outputs.map((o) => (o === PREPARED.logits ? all : o));
  b.replaceInput(PREPARED.logits, all);
  b.sliceFrom(all, -1, 1, PREPARED.logits);
  return 'output';
}

/** Tensors computed from initializers and Constant nodes only. */
function constness(g: OnnxGraph, produced: Map<string, OnnxNode>): (t: string) => boolean {
  return ancestry(produced, (t) => t === '' || g.initializers.has(t), (n, isConst) => n.opType === 'Constant' || (n.inputs.length > 0 && !hasSubgraph(n) && n.inputs.every(isConst)));
}

function findHead(g: OnnxGraph, produced: Map<string, OnnxNode>, isConst: (t: string) => boolean, vocab: number): { input: string } | undefined {
  // Breadth-first from logits, a few nodes deep: the head is near the end.
  const queue: string[] = [PREPARED.logits];
  const seen = new Set<string>();
  for (let steps = 0; queue.length > 0 && steps < 24; steps++) {
    const n = produced.get(queue.shift()!);
    if (!n || seen.has(n.name + n.outputs[0])) continue;
    seen.add(n.name + n.outputs[0]);
    if (HEAD_OPS.has(n.opType)) {
      const weight = n.inputs.find((i) => g.initializers.has(i) && tensorDims(g.initializers.get(i)!).includes(vocab));
      const data = n.inputs.filter((i) => i && !isConst(i));
      if (weight && data.length >= 1) {
        const q = produced.get(data[0]);
        // Dynamically quantized heads: the activation goes through DynamicQuantizeLinear first.
        if (q && q.opType === 'DynamicQuantizeLinear' && data.every((d) => q.outputs.includes(d))) return { input: q.inputs[0] };
        if (data.length === 1) return { input: data[0] };
      }
    }
    for (const i of n.inputs) if (i && !isConst(i)) queue.push(i);
  }
  return undefined;
}

/** Nodes on some path from `from` to `to`. */
function between(from: string, to: string, g: OnnxGraph, produced: Map<string, OnnxNode>): Set<OnnxNode> {
  const ancestors = new Set<OnnxNode>();
  const stack = [to];
  while (stack.length > 0) {
    const n = produced.get(stack.pop()!);
    if (!n || ancestors.has(n)) continue;
    ancestors.add(n);
    for (const i of n.inputs) if (i && i !== from) stack.push(i);
  }
  const reach = new Set([from]);
  const region = new Set<OnnxNode>();
  // Nodes are not sorted yet, so sweep until nothing new is reached.
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of g.nodes) {
      if (region.has(n) || !ancestors.has(n) || !n.inputs.some((i) => reach.has(i))) continue;
      region.add(n);
      for (const o of n.outputs) reach.add(o);
      changed = true;
    }
  }
  return region;
}

interface ShapeSource {
  readonly tensor: string;
  /** Shape-only nodes computing it, all reading input_ids. */
  readonly nodes: readonly OnnxNode[];
}

/**
 * Inputs the region reads from outside must be constants, or shapes computed from input_ids
 * (a Reshape back to [batch, seq, vocab]): those are recomputed from the last token's ids.
 * Anything else means the head is not separable: undefined.
 */
function outsideInputs(region: Set<OnnxNode>, start: string, isConst: (t: string) => boolean, produced: Map<string, OnnxNode>): ShapeSource[] | undefined {
  const inRegion = new Set([...region].flatMap((n) => n.outputs));
  const sources: ShapeSource[] = [];
  for (const n of region) {
    for (const t of n.inputs) {
      if (!t || t === start || inRegion.has(t) || isConst(t) || sources.some((s) => s.tensor === t)) continue;
      const nodes = shapeOfInputIds(t, isConst, produced);
      if (!nodes) return undefined;
      sources.push({ tensor: t, nodes });
    }
  }
  return sources;
}

function shapeOfInputIds(t: string, isConst: (t: string) => boolean, produced: Map<string, OnnxNode>): OnnxNode[] | undefined {
  const nodes: OnnxNode[] = [];
  const visit = (x: string): boolean => {
    if (!x || isConst(x)) return true;
    const n = produced.get(x);
    if (!n || !POSITIONWISE.has(n.opType)) return false;
    if (!nodes.includes(n)) nodes.push(n);
    if (n.opType === 'Shape') return n.inputs[0] === 'input_ids';
    return n.inputs.every(visit);
  };
  return visit(t) ? nodes : undefined;
}

/** A copy of a shape computation that reads the last token's ids instead of all of them. */
function cloneShapeOf(b: Builder, source: ShapeSource, lastIds: string): string {
  const renamed = new Map<string, string>();
  for (const n of source.nodes) for (const o of n.outputs) renamed.set(o, b.fresh('last_shape'));
  for (const n of source.nodes) {
    b.graph.nodes.push({
      ...n,
      name: b.fresh('last_shape_node'),
      inputs: n.inputs.map((i) => (n.opType === 'Shape' ? lastIds : (renamed.get(i) ?? i))),
      outputs: n.outputs.map((o) => renamed.get(o)!),
    });
  }
  return renamed.get(source.tensor)!;
}

/** Kahn's algorithm: ONNX wants producers before consumers; dead nodes are kept (ORT prunes them). */
function topologicalOrder(g: OnnxGraph): OnnxNode[] {
  const available = new Set<string>([...g.initializers.keys(), ...g.inputs.map((v) => v.name), '']);
  const pending = [...g.nodes];
  const out: OnnxNode[] = [];
  while (pending.length > 0) {
    const before = out.length;
    for (let i = 0; i < pending.length; ) {
      const n = pending[i];
      // Subgraphs may read outer names: those are checked by ONNX Runtime, not here.
      if (n.inputs.every((x) => available.has(x))) {
        out.push(n);
        for (const o of n.outputs) available.add(o);
        pending.splice(i, 1);
      } else {
        i++;
      }
    }
    if (out.length === before) {
      const missing = pending[0].inputs.find((x) => !available.has(x));
      throw new RewriteError(`node ${pending[0].name} (${pending[0].opType}) reads ${missing}, which nothing produces`);
    }
  }
  return out;
}
