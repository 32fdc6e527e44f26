// A minimal protobuf reader for the ONNX messages graph preparation rewrites (field numbers from
// onnx.proto3). Fields are views into the file's buffer: a 500 MB model's initializers are
// never copied, only passed through to the writer.

export const WIRE = { VARINT: 0, FIXED64: 1, LEN: 2, FIXED32: 5 } as const;

export interface Field {
  readonly field: number;
  readonly wire: number;
  /** The whole field, tag included: what the writer copies through unchanged. */
  readonly raw: Uint8Array;
  /** LEN fields: the payload. */
  readonly bytes: Uint8Array;
  /** VARINT fields: the value (int64 values beyond 2^53 lose precision; ONNX dims never get there). */
  readonly int: number;
}

export class ProtoError extends Error {}

export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtoError('truncated varint');
      const b = buf[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new ProtoError('varint too long');
  };
  while (pos < buf.length) {
    const start = pos;
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let bytes: Uint8Array = EMPTY;
    let int = 0;
    if (wire === WIRE.VARINT) {
      int = varint();
      // Negative int64s arrive as 10-byte two's complement; fold them back.
      if (int >= 2 ** 63) int -= 2 ** 64;
    } else if (wire === WIRE.LEN) {
      const len = varint();
      if (pos + len > buf.length) throw new ProtoError(`field ${field} runs past the end of its message`);
      bytes = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === WIRE.FIXED32) {
      pos += 4;
    } else if (wire === WIRE.FIXED64) {
      pos += 8;
    } else {
      throw new ProtoError(`unsupported wire type ${wire} (field ${field})`);
    }
    if (pos > buf.length) throw new ProtoError('truncated field');
    fields.push({ field, wire, raw: buf.subarray(start, pos), bytes, int });
  }
  return fields;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

export const text = (f: Field): string => utf8.decode(f.bytes);

/** Packed or repeated int64 values of one field number. */
export function ints(fields: readonly Field[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === WIRE.VARINT) out.push(f.int);
    else if (f.wire === WIRE.LEN) for (const v of readPackedVarints(f.bytes)) out.push(v);
  }
  return out;
}

function readPackedVarints(buf: Uint8Array): number[] {
  const out: number[] = [];
  let result = 0;
  let scale = 1;
  for (const b of buf) {
    result += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) {
      out.push(result >= 2 ** 63 ? result - 2 ** 64 : result);
      result = 0;
      scale = 1;
    }
  }
  return out;
}

export const first = (fields: readonly Field[], field: number): Field | undefined => fields.find((f) => f.field === field);
