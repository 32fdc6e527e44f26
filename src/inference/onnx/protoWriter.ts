// A minimal writer for the ONNX protobuf messages a generated model needs (field numbers from
// onnx.proto3). Messages are kept as trees of byte chunks with precomputed sizes, so a model of
// several hundred MB is written chunk by chunk and never concatenated into one buffer.
import { closeSync, openSync, writeSync } from 'node:fs';

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;

export interface TensorDef {
  name: string;
  dataType: DataTypeCode;
  dims: readonly number[];
  /** Little-endian element bytes. */
  raw: Uint8Array;
  /**
   * Where the bytes live instead, in a file beside the model (ONNX external data: TensorProto
   * data_location EXTERNAL with location/offset/length entries, as `onnx.save_model(...,
   * save_as_external_data=True)` and Optimum's model.onnx + model.onnx_data write it). The
   * caller writes `raw` at `offset` of that file.
   */
  external?: { readonly location: string; readonly offset: number };
}

/** A dimension: a fixed size, or a symbolic name (dim_param) for a dynamic one. */
export type Dim = number | string;

export interface ValueInfoDef {
  name: string;
  elemType: DataTypeCode;
  shape: readonly Dim[];
}

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorDef }
  | { kind: 'graph'; value: GraphDef };

export interface NodeDef {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attrs?: Readonly<Record<string, AttrValue>>;
  /** '' (the default ONNX domain) unless given, e.g. 'com.microsoft' for ONNX Runtime's own operators. */
  domain?: string;
}

export interface GraphDef {
  name: string;
  nodes: readonly NodeDef[];
  initializers: readonly TensorDef[];
  inputs: readonly ValueInfoDef[];
  outputs: readonly ValueInfoDef[];
}

export interface ModelDef {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  graph: GraphDef;
  metadata?: Readonly<Record<string, string>>;
  /** Opsets of other domains the nodes use, e.g. { 'com.microsoft': 1 }. */
  domainOpsets?: Readonly<Record<string, number>>;
}

// ---- wire format -------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Varint bytes; negative values are sign-extended to 64 bits, as protobuf encodes int64. */
function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** Fast path for the many small non-negative varints (tags, lengths). */
function smallVarint(value: number): Uint8Array {
  if (value < 0 || !Number.isSafeInteger(value)) return varint(value);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

const tag = (field: number, wire: number): Uint8Array => smallVarint(field * 8 + wire);
const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

type Part = Uint8Array | Message;

/** A message under construction: an ordered list of byte chunks and nested messages. */
export class Message {
  readonly parts: Part[] = [];
  size = 0;

  private push(part: Part): void {
    this.parts.push(part);
    this.size += part instanceof Message ? part.size : part.length;
  }

  int(field: number, value: number | bigint): this {
    this.push(tag(field, WIRE_VARINT));
    this.push(typeof value === 'number' ? smallVarint(value) : varint(value));
    return this;
  }

  float(field: number, value: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.push(tag(field, WIRE_FIXED32));
    this.push(b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.push(tag(field, WIRE_LEN));
    this.push(smallVarint(data.length));
    this.push(data);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8(value));
  }

  message(field: number, child: Message): this {
    this.push(tag(field, WIRE_LEN));
    this.push(smallVarint(child.size));
    this.push(child);
    return this;
  }

  packedInts(field: number, values: readonly number[]): this {
    return this.bytes(field, Buffer.concat(values.map((v) => smallVarint(v))));
  }

  packedFloats(field: number, values: readonly number[]): this {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeFloatLE(v, i * 4));
    return this.bytes(field, b);
  }

  /** Appends bytes that are already encoded fields (copied through from a parsed message). */
  raw(data: Uint8Array): this {
    this.push(data);
    return this;
  }

  /** The whole message in one buffer; for small messages (tests, subgraphs). */
  toBytes(): Uint8Array {
    const out = Buffer.alloc(this.size);
    let offset = 0;
    for (const chunk of chunks(this)) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

export function* chunks(msg: Message): Generator<Uint8Array> {
  for (const part of msg.parts) {
    if (part instanceof Message) yield* chunks(part);
    else yield part;
  }
}

// ---- ONNX messages ------------------------------------------------------------------------------

export function encodeTensor(t: TensorDef): Message {
  const expected = t.dims.reduce((a, b) => a * b, 1) * bytesPerElement(t.dataType);
  if (t.raw.length !== expected) {
    throw new Error(`tensor ${t.name}: ${t.raw.length} bytes of data for dims [${t.dims}]`);
  }
  const m = new Message();
  if (t.dims.length > 0) m.packedInts(1, t.dims);
  m.int(2, t.dataType).string(8, t.name);
  if (!t.external) return m.bytes(9, t.raw);
  // onnx.proto: external_data = 13 (StringStringEntryProto key 1, value 2), data_location = 14 (EXTERNAL = 1).
  const entry = (key: string, value: string) => new Message().string(1, key).string(2, value);
  m.message(13, entry('location', t.external.location));
  m.message(13, entry('offset', String(t.external.offset)));
  m.message(13, entry('length', String(t.raw.length)));
  return m.int(14, 1);
}

function bytesPerElement(type: DataTypeCode): number {
  if (type === DataType.INT64) return 8;
  if (type === DataType.BOOL || type === DataType.UINT8 || type === DataType.INT8) return 1;
  return type === DataType.FLOAT16 ? 2 : 4;
}

export function encodeValueInfo(v: ValueInfoDef): Message {
  const shape = new Message();
  for (const d of v.shape) {
    const dim = typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Message().int(1, v.elemType).message(2, shape);
  const type = new Message().message(1, tensorType);
  return new Message().string(1, v.name).message(2, type);
}

function encodeAttr(name: string, a: AttrValue): Message {
  const m = new Message().string(1, name);
  switch (a.kind) {
    case 'int':
      return m.int(20, AttrType.INT).int(3, a.value);
    case 'ints':
      return m.int(20, AttrType.INTS).packedInts(8, a.value);
    case 'float':
      return m.int(20, AttrType.FLOAT).float(2, a.value);
    case 'floats':
      return m.int(20, AttrType.FLOATS).packedFloats(7, a.value);
    case 'string':
      return m.int(20, AttrType.STRING).string(4, a.value);
    case 'tensor':
      return m.int(20, AttrType.TENSOR).message(5, encodeTensor(a.value));
    case 'graph':
      return m.int(20, AttrType.GRAPH).message(6, encodeGraph(a.value));
  }
}

export function encodeNode(n: NodeDef): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name).string(4, n.opType);
  for (const [name, value] of Object.entries(n.attrs ?? {})) m.message(5, encodeAttr(name, value));
  if (n.domain) m.string(7, n.domain);
  return m;
}

export function encodeGraph(g: GraphDef): Message {
  const m = new Message();
  for (const n of g.nodes) m.message(1, encodeNode(n));
  m.string(2, g.name);
  for (const t of g.initializers) m.message(5, encodeTensor(t));
  for (const v of g.inputs) m.message(11, encodeValueInfo(v));
  for (const v of g.outputs) m.message(12, encodeValueInfo(v));
  return m;
}

export function encodeModel(model: ModelDef): Message {
  const m = new Message()
    .int(1, model.irVersion)
    .string(2, model.producerName)
    .string(3, model.producerVersion)
    .message(7, encodeGraph(model.graph))
    .message(8, new Message().string(1, '').int(2, model.opsetVersion));
  for (const [domain, version] of Object.entries(model.domainOpsets ?? {})) m.message(8, new Message().string(1, domain).int(2, version));
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    m.message(14, new Message().string(1, key).string(2, value));
  }
  return m;
}

// ---- output -------------------------------------------------------------------------------------

const COALESCE_BYTES = 1 << 20;

/** Writes a message to a file; small chunks are gathered so the many tiny fields cost few syscalls. */
export function writeMessage(path: string, msg: Message): number {
  const fd = openSync(path, 'w');
  try {
    const pending = Buffer.alloc(COALESCE_BYTES);
    let used = 0;
    const flush = (): void => {
      writeAll(fd, pending.subarray(0, used));
      used = 0;
    };
    for (const chunk of chunks(msg)) {
      if (chunk.length > COALESCE_BYTES / 4) {
        flush();
        writeAll(fd, chunk);
        continue;
      }
      if (used + chunk.length > COALESCE_BYTES) flush();
      pending.set(chunk, used);
      used += chunk.length;
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return msg.size;
}

function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}
