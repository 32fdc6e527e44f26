// An ONNX model as graph preparation sees it: nodes and I/O decoded, initializers and every other
// field kept as the file's own bytes, so rewriting a graph never copies its weights.
import { halfToFloat } from '../float16';
import { DataType, encodeNode, Message, type AttrValue, type DataTypeCode } from './protoWriter';
import { first, ints, readFields, text, WIRE, type Field } from './protoReader';

export interface OnnxNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** AttributeProto payloads as read; new nodes carry `newAttrs` instead. */
  readonly rawAttrs: readonly Uint8Array[];
  readonly newAttrs?: Readonly<Record<string, AttrValue>>;
}

export interface OnnxValue {
  readonly name: string;
  readonly elemType: number;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  /** Initializer name -> TensorProto payload. */
  readonly initializers: Map<string, Uint8Array>;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

export interface OnnxModel {
  readonly graph: OnnxGraph;
  /** ModelProto fields other than the graph, copied through. */
  readonly rest: readonly Field[];
  /** Opset of the default domain. */
  readonly opset: number;
  /** Some initializer lives in a separate file, relative to the model's folder. */
  readonly externalData: boolean;
}

const MODEL = { GRAPH: 7, OPSET: 8 };
const GRAPH = { NODE: 1, NAME: 2, INITIALIZER: 5, INPUT: 11, OUTPUT: 12 };
const NODE = { INPUT: 1, OUTPUT: 2, NAME: 3, OP_TYPE: 4, ATTRIBUTE: 5, DOMAIN: 7 };
const TENSOR = { DIMS: 1, DATA_TYPE: 2, FLOAT_DATA: 4, INT32_DATA: 5, NAME: 8, RAW_DATA: 9, DATA_LOCATION: 14 };
const ATTR = { NAME: 1, TENSOR: 5, GRAPH: 6 };

export function parseModel(buf: Uint8Array): OnnxModel {
  const fields = readFields(buf);
  const graphField = first(fields, MODEL.GRAPH);
  if (!graphField) throw new Error('the file has no graph');
  let opset = 0;
  for (const f of fields.filter((x) => x.field === MODEL.OPSET)) {
    const sub = readFields(f.bytes);
    const domain = first(sub, 1);
    if (!domain || text(domain) === '' || text(domain) === 'ai.onnx') opset = Math.max(opset, first(sub, 2)?.int ?? 0);
  }
  const { graph, externalData } = parseGraph(graphField.bytes);
  return { graph, rest: fields.filter((f) => f.field !== MODEL.GRAPH), opset, externalData };
}

export function parseGraph(buf: Uint8Array): { graph: OnnxGraph; externalData: boolean } {
  const graph: OnnxGraph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  let externalData = false;
  for (const f of readFields(buf)) {
    if (f.field === GRAPH.NODE) graph.nodes.push(parseNode(f.bytes));
    else if (f.field === GRAPH.INITIALIZER) {
      const t = readFields(f.bytes);
      const name = first(t, TENSOR.NAME);
      if (first(t, TENSOR.DATA_LOCATION)?.int === 1) externalData = true;
      graph.initializers.set(name ? text(name) : '', f.bytes);
    } else if (f.field === GRAPH.INPUT) graph.inputs.push(parseValue(f.bytes));
    else if (f.field === GRAPH.OUTPUT) graph.outputs.push(parseValue(f.bytes));
    // value_info and doc strings are dropped: ONNX Runtime infers shapes again.
  }
  return { graph, externalData };
}

function parseNode(buf: Uint8Array): OnnxNode {
  const fields = readFields(buf);
  const strings = (n: number) => fields.filter((f) => f.field === n).map(text);
  return {
    opType: strings(NODE.OP_TYPE)[0] ?? '',
    domain: strings(NODE.DOMAIN)[0] ?? '',
    name: strings(NODE.NAME)[0] ?? '',
    inputs: strings(NODE.INPUT),
    outputs: strings(NODE.OUTPUT),
    rawAttrs: fields.filter((f) => f.field === NODE.ATTRIBUTE).map((f) => f.bytes),
  };
}

/** ValueInfoProto -> name and the tensor element type (TypeProto.tensor_type.elem_type). */
function parseValue(buf: Uint8Array): OnnxValue {
  const fields = readFields(buf);
  const name = first(fields, 1);
  const type = first(fields, 2);
  const tensorType = type ? first(readFields(type.bytes), 1) : undefined;
  const elem = tensorType ? first(readFields(tensorType.bytes), 1) : undefined;
  return { name: name ? text(name) : '', elemType: elem?.int ?? 0 };
}

/** The subgraph attribute `name` of a node (If's then_branch…), parsed. */
export function graphAttribute(node: OnnxNode, name: string): OnnxGraph | undefined {
  for (const raw of node.rawAttrs) {
    const fields = readFields(raw);
    const n = first(fields, ATTR.NAME);
    const g = first(fields, ATTR.GRAPH);
    if (n && text(n) === name && g) return parseGraph(g.bytes).graph;
  }
  return undefined;
}

/** Whether any attribute of the node holds a subgraph (If, Loop, Scan). */
export function hasSubgraph(node: OnnxNode): boolean {
  return node.rawAttrs.some((raw) => readFields(raw).some((f) => f.field === ATTR.GRAPH || f.field === 11));
}

/** A TensorProto payload with its name replaced (its data stays a view). */
export function renameTensor(payload: Uint8Array, name: string): Uint8Array {
  const m = new Message();
  for (const f of readFields(payload)) if (f.field !== TENSOR.NAME) m.raw(f.raw);
  m.string(TENSOR.NAME, name);
  return concat(m);
}

export function tensorDims(payload: Uint8Array): number[] {
  return ints(readFields(payload), 1);
}

export interface Tensor {
  readonly dims: number[];
  readonly dataType: number;
  /** Little-endian element bytes; undefined when they live in an external file. */
  readonly raw: Uint8Array | undefined;
}

/** A TensorProto payload's type, dims and data (raw_data, or int32_data / float_data turned into bytes). */
export function readTensor(payload: Uint8Array): Tensor {
  const fields = readFields(payload);
  const dims = ints(fields, TENSOR.DIMS);
  const dataType = first(fields, TENSOR.DATA_TYPE)?.int ?? 0;
  if (first(fields, TENSOR.DATA_LOCATION)?.int === 1) return { dims, dataType, raw: undefined };
  const raw = first(fields, TENSOR.RAW_DATA);
  if (raw) return { dims, dataType, raw: raw.bytes };
  const int32s = () => ints(fields, TENSOR.INT32_DATA);
  if (dataType === DataType.INT8 || dataType === DataType.UINT8) return { dims, dataType, raw: Uint8Array.from(int32s(), (v) => v & 0xff) };
  // float16 values are their bits in int32_data.
  if (dataType === DataType.FLOAT16) return { dims, dataType, raw: new Uint8Array(Uint16Array.from(int32s()).buffer) };
  if (dataType === DataType.FLOAT) return { dims, dataType, raw: packedFloats(fields.filter((f) => f.field === TENSOR.FLOAT_DATA)) };
  return { dims, dataType, raw: new Uint8Array(0) };
}

function packedFloats(fields: readonly Field[]): Uint8Array {
  const parts = fields.map((f) => (f.wire === WIRE.LEN ? f.bytes : f.raw.subarray(f.raw.length - 4)));
  return Buffer.concat(parts);
}

/** The value of a one-element float32 or float16 tensor stored inline; undefined for anything else. */
export function scalarValue(payload: Uint8Array): number | undefined {
  const t = readTensor(payload);
  if (!t.raw || t.dims.some((d) => d !== 1)) return undefined;
  const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  if (t.dataType === DataType.FLOAT && t.raw.length === 4) return view.getFloat32(0, true);
  if (t.dataType === DataType.FLOAT16 && t.raw.length === 2) return halfToFloat(view.getUint16(0, true));
  return undefined;
}

/**
 * A memoized property of tensors that follows their producers: `leaf` decides a tensor nothing
 * produces (an input, an initializer), `ofNode` a produced one, given the property of others.
 * A cycle reads as false.
 */
export function ancestry(produced: ReadonlyMap<string, OnnxNode>, leaf: (t: string) => boolean, ofNode: (n: OnnxNode, of: (t: string) => boolean) => boolean): (t: string) => boolean {
  const memo = new Map<string, boolean>();
  const of = (t: string): boolean => {
    const known = memo.get(t);
    if (known !== undefined) return known;
    memo.set(t, false);
    const n = produced.get(t);
    const value = n ? ofNode(n, of) : leaf(t);
    memo.set(t, value);
    return value;
  };
  return of;
}

/** The `value` tensor of a Constant node. */
export function constantTensor(node: OnnxNode): Uint8Array | undefined {
  for (const raw of node.rawAttrs) {
    const fields = readFields(raw);
    const name = first(fields, ATTR.NAME);
    const t = first(fields, ATTR.TENSOR);
    if (name && text(name) === 'value' && t) return t.bytes;
  }
  return undefined;
}

export function encodeOnnxModel(model: OnnxModel): Message {
  const m = new Message();
  for (const f of model.rest) m.raw(f.raw);
  return m.message(MODEL.GRAPH, encodeOnnxGraph(model.graph));
}

function encodeOnnxGraph(g: OnnxGraph): Message {
  const m = new Message();
  for (const n of g.nodes) m.message(GRAPH.NODE, encodeOnnxNode(n));
  m.string(GRAPH.NAME, 'prepared');
  for (const payload of g.initializers.values()) m.bytes(GRAPH.INITIALIZER, payload);
  for (const v of g.inputs) m.message(GRAPH.INPUT, encodeValue(v));
  for (const v of g.outputs) m.message(GRAPH.OUTPUT, encodeValue(v));
  return m;
}

function encodeOnnxNode(n: OnnxNode): Message {
  const m = encodeNode({ opType: n.opType, inputs: n.inputs, outputs: n.outputs, name: n.name, attrs: n.newAttrs });
  for (const raw of n.rawAttrs) m.bytes(NODE.ATTRIBUTE, raw);
  if (n.domain) m.string(NODE.DOMAIN, n.domain);
  return m;
}

/** A value with its element type and no shape: ONNX Runtime infers the shape. */
function encodeValue(v: OnnxValue): Message {
  const tensorType = new Message().int(1, v.elemType as DataTypeCode);
  return new Message().string(1, v.name).message(2, new Message().message(1, tensorType));
}

function concat(m: Message): Uint8Array {
  return m.toBytes();
}
