// A small reader for the zip files NuGet packages are: the central directory (ZIP64 included), and
// one entry at a time streamed out through zlib with its size and CRC-32 checked. Enough for a
// .nupkg; not a general zip library (no encryption, no multi-disk archives, stored and deflate only).
// Entry names are untrusted: zipEntryNameProblem says why one may not be used as a path.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
  readonly encrypted: boolean;
}

/** What is wrong with the file as a zip archive; the message says which part. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
const U32 = 0xffffffff;

/** Reads the central directory of the zip file at `path`. */
export async function readZipDirectory(path: string): Promise<ZipEntry[]> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const tailLength = Math.min(size, 22 + MAX_COMMENT + 20);
    const tail = await readAt(fh, size - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new ZipError('it is not a zip archive, or it is truncated (no end-of-central-directory record)');
    const eocdPos = size - tailLength + at;
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) throw new ZipError('it is a multi-disk archive');
    if (count === 0xffff || cdSize === U32 || cdOffset === U32) {
      // ZIP64: the locator sits right before the classic record and points at the 64-bit one.
      if (at < 20 || tail.readUInt32LE(at - 20) !== EOCD64_LOCATOR) throw new ZipError('its ZIP64 end-of-central-directory locator is missing');
      const rec64 = toSafe(tail.readBigUInt64LE(at - 20 + 8), 'ZIP64 record offset');
      const r = await readAt(fh, rec64, 56);
      if (r.length < 56 || r.readUInt32LE(0) !== EOCD64) throw new ZipError('its ZIP64 end-of-central-directory record is missing or damaged');
      count = toSafe(r.readBigUInt64LE(32), 'entry count');
      cdSize = toSafe(r.readBigUInt64LE(40), 'central directory size');
      cdOffset = toSafe(r.readBigUInt64LE(48), 'central directory offset');
    }
    if (cdOffset + cdSize > eocdPos) throw new ZipError(`its central directory (${cdSize} bytes at ${cdOffset}) runs past the end of the data: the file is truncated or damaged`);
    const cd = await readAt(fh, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    while (p < cd.length) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ZipError(`its central directory is damaged at entry ${entries.length + 1}`);
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let uncompressed = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      let offset = cd.readUInt32LE(p + 42);
      const end = p + 46 + nameLength + extraLength + commentLength;
      if (end > cd.length) throw new ZipError(`its central directory is damaged at entry ${entries.length + 1}`);
      const rawName = cd.subarray(p + 46, p + 46 + nameLength);
      // Bit 11: UTF-8 names; else CP437, whose ASCII part is all a package uses.
      const name = flags & 0x800 ? rawName.toString('utf8') : rawName.toString('latin1');
      if (uncompressed === U32 || compressedSize === U32 || offset === U32) {
        const z = zip64Extra(cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
        let q = 0;
        const next = (what: string) => {
          if (!z || q + 8 > z.length) throw new ZipError(`${JSON.stringify(name)} has no ZIP64 ${what}`);
          const v = toSafe(z.readBigUInt64LE(q), what);
          q += 8;
          return v;
        };
        if (uncompressed === U32) uncompressed = next('size');
        if (compressedSize === U32) compressedSize = next('compressed size');
        if (offset === U32) offset = next('offset');
      }
      if (offset + 30 > cdOffset) throw new ZipError(`${JSON.stringify(name)} starts past the archive's data: the file is damaged`);
      entries.push({ name, method, crc32: crc, compressedSize, size: uncompressed, localHeaderOffset: offset, encrypted: (flags & 1) === 1 });
      p = end;
    }
    if (entries.length !== count) throw new ZipError(`its central directory lists ${entries.length} entries, its end record says ${count}`);
    return entries;
  } finally {
    await fh.close();
  }
}

/**
 * Why `name` may not be used as a relative path inside an archive (undefined: it may). Refused:
 * absolute paths, drive letters, backslashes, `.`/`..` segments, empty segments, control characters.
 */
export function zipEntryNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it has control characters';
  if (name.includes('\\')) return 'it has a backslash';
  if (name.startsWith('/')) return 'it is an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'it starts with a drive letter';
  const segments = name.endsWith('/') ? name.slice(0, -1).split('/') : name.split('/');
  if (segments.some((s) => s === '..')) return 'it climbs out of the archive (..)';
  if (segments.some((s) => s === '.' || s === '')) return 'it has an empty or "." segment';
  return undefined;
}

/** Reads a small entry (a .nuspec) whole; refuses one larger than `limit` bytes. */
export async function readZipEntry(path: string, entry: ZipEntry, limit = 1 << 20): Promise<Buffer> {
  if (entry.size > limit) throw new ZipError(`${entry.name} is ${entry.size} bytes, more than the ${limit} expected`);
  const chunks: Buffer[] = [];
  const check = new EntryCheck(entry);
  try {
    await pipeline(await entryStream(path, entry), check, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  } catch (err) {
    throw asZipError(err, entry.name);
  }
  check.verify();
  return Buffer.concat(chunks);
}

/** Streams an entry into `dest` (created or replaced), checking its size and CRC-32 on the way; `onBytes` hears each chunk's length. */
export async function extractZipEntry(path: string, entry: ZipEntry, dest: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<void> {
  const check = new EntryCheck(entry, onBytes);
  try {
    await pipeline(await entryStream(path, entry), check, createWriteStream(dest, { mode: 0o755 }), signal ? { signal } : {});
  } catch (err) {
    throw asZipError(err, entry.name);
  }
  check.verify();
}

/** The entry's bytes as stored (after its local header), inflated when deflated, size- and CRC-checked. */
async function entryStream(path: string, entry: ZipEntry): Promise<NodeJS.ReadableStream> {
  if (entry.encrypted) throw new ZipError(`${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) throw new ZipError(`${entry.name} uses compression method ${entry.method} (only stored and deflate are read)`);
  const fh = await open(path, 'r');
  let dataStart: number;
  try {
    const local = await readAt(fh, entry.localHeaderOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw new ZipError(`${entry.name}: its local header is missing or damaged`);
    dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const { size } = await fh.stat();
    if (dataStart + entry.compressedSize > size) throw new ZipError(`${entry.name} runs past the end of the file: it is truncated`);
  } finally {
    await fh.close();
  }
  if (entry.compressedSize === 0) {
    const empty = new Transform();
    empty.end();
    return entry.method === 8 ? empty.pipe(createInflateRaw()) : empty;
  }
  const raw = createReadStream(path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  if (entry.method === 0) return raw;
  const inflate = createInflateRaw();
  raw.on('error', (err) => inflate.destroy(err));
  return raw.pipe(inflate);
}

/** Counts and CRCs the inflated bytes; more than the declared size stops at once (no zip bombs). */
class EntryCheck extends Transform {
  private crc = 0;
  private bytes = 0;

  constructor(
    private readonly entry: ZipEntry,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.entry.size) return callback(new ZipError(`${this.entry.name} holds more than the ${this.entry.size} bytes its directory entry says`));
    this.crc = crc32(chunk, this.crc);
    this.onBytes?.(chunk.length);
    callback(null, chunk);
  }

  verify(): void {
    if (this.bytes !== this.entry.size) throw new ZipError(`${this.entry.name} has ${this.bytes} bytes, its directory entry says ${this.entry.size}: the package is damaged`);
    if (this.crc >>> 0 !== this.entry.crc32 >>> 0) throw new ZipError(`${this.entry.name} fails its CRC-32 check (${hex(this.crc)}, expected ${hex(this.entry.crc32)}): the package is damaged`);
  }
}

/** Wraps stream errors of a damaged deflate stream in ZipError; others (abort, disk full) pass as they are. */
function asZipError(err: unknown, name: string): Error {
  if (err instanceof ZipError) return err;
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return new ZipError(`${name} cannot be inflated (${e.message}): the package is damaged`);
  return err instanceof Error ? err : new Error(String(err));
}

function zip64Extra(extra: Buffer): Buffer | undefined {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) return extra.subarray(p + 4, Math.min(extra.length, p + 4 + len));
    p += 4 + len;
  }
  return undefined;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

function toSafe(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`its ${what} is out of range`);
  return Number(v);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
