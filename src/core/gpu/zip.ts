// Reads the zip files NuGet packages are, through yauzl, with Ghostwriter's own checks on top.
//
// Why yauzl (3.x, by Josh Wolfe): it reads the central directory by random access from the file
// (a 200+ MB .nupkg is never held in memory), streams one entry at a time through zlib, reads ZIP64,
// trusts nothing in the local headers, bounds-checks every offset against the file, checks each
// entry's inflated length against its declared size (the zip-bomb defence its README documents),
// has one tiny dependency (pend) and is kept up (releases through 2026; vsce uses it). fflate is
// smaller and has no dependency, but its unzip either takes the whole archive in memory (unzipSync)
// or streams local headers front to back (Unzip), trusting the sizes written there, and checks no
// CRC; adm-zip and jszip load the whole archive; unzipper streams local headers as well;
// node-stream-zip has had no release in years.
//
// yauzl does not check CRC-32s (its README says so) and lets a caller decide what a name may be: so
// names are decoded here (decodeStrings off) and judged by zipEntryProblem, which is stricter than
// yauzl's validateFileName (control characters, empty segments, symbolic links, declared sizes), and
// every byte read passes EntryCheck, which counts and CRCs it.
import { createWriteStream } from 'node:fs';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import * as yauzl from 'yauzl';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
  readonly encrypted: boolean;
  /** A Unix symbolic link (made on Unix, S_IFLNK in its external attributes): never followed, never written. */
  readonly symlink: boolean;
}

/** What is wrong with the file as a zip archive; the message says which part. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
}

/** The most one entry may declare when it is extracted (the CUDA provider library is a few hundred MB). */
export const MAX_ENTRY_BYTES = 4 * 2 ** 30;

/** An open archive: its entries, read from the central directory once, and their bytes on demand. */
export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly entries: readonly ZipEntry[],
    private readonly raw: ReadonlyMap<ZipEntry, yauzl.Entry>,
  ) {}

  static async open(path: string): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    try {
      // strictFileNames: a backslash stays a backslash (zipEntryProblem refuses it) instead of becoming '/'.
      zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: true });
    } catch (err) {
      throw asZipError(err, (m) => `it is not a zip archive, or it is truncated or damaged (${m})`);
    }
    const entries: ZipEntry[] = [];
    const raw = new Map<ZipEntry, yauzl.Entry>();
    try {
      for await (const e of zip.eachEntry()) {
        const entry = toEntry(e);
        entries.push(entry);
        raw.set(entry, e);
      }
    } catch (err) {
      zip.close();
      throw asZipError(err, (m) => `its central directory is damaged or truncated at entry ${entries.length + 1} (${m})`);
    }
    return new ZipArchive(zip, entries, raw);
  }

  /** Reads a small entry (a .nuspec) whole; refuses one larger than `limit` bytes. */
  async read(entry: ZipEntry, limit = 1 << 20): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const check = new EntryCheck(entry);
    const source = await this.stream(entry, limit);
    try {
      await pipeline(source, check, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
    } catch (err) {
      throw asZipError(err, (m) => `${entry.name} is damaged (${m})`);
    }
    check.verify();
    return Buffer.concat(chunks);
  }

  /**
   * Streams an entry into `dest`, which must not exist yet (no file or link there is ever followed or
   * overwritten), checking its size and CRC-32 on the way; `onBytes` hears each chunk's length.
   */
  async extract(entry: ZipEntry, dest: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<void> {
    const check = new EntryCheck(entry, onBytes);
    const source = await this.stream(entry, MAX_ENTRY_BYTES);
    try {
      await pipeline(source, check, createWriteStream(dest, { flags: 'wx', mode: 0o755 }), signal ? { signal } : {});
    } catch (err) {
      throw asZipError(err, (m) => `${entry.name} is damaged (${m})`);
    }
    check.verify();
  }

  close(): void {
    this.zip.close();
  }

  private async stream(entry: ZipEntry, limit: number): Promise<Readable> {
    const e = this.raw.get(entry);
    if (!e) throw new Error(`${entry.name} is not an entry of this archive`);
    const problem = zipEntryProblem(entry, limit);
    if (problem) throw new ZipError(`${JSON.stringify(entry.name)} cannot be read: ${problem}`);
    try {
      return await this.zip.openReadStreamPromise(e);
    } catch (err) {
      throw asZipError(err, (m) => `${entry.name} cannot be read (${m})`);
    }
  }
}

/** The archive's entries (opened and closed again). */
export async function readZipDirectory(path: string): Promise<ZipEntry[]> {
  const archive = await ZipArchive.open(path);
  archive.close();
  return [...archive.entries];
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

/** Why an entry may not be read (undefined: it may): a bad name, a symbolic link, encryption, an unknown method, more than `limit` bytes. */
export function zipEntryProblem(entry: ZipEntry, limit = MAX_ENTRY_BYTES): string | undefined {
  const name = zipEntryNameProblem(entry.name);
  if (name) return name;
  if (entry.symlink) return 'it is a symbolic link';
  if (entry.encrypted) return 'it is encrypted';
  if (entry.method !== 0 && entry.method !== 8) return `it uses compression method ${entry.method} (only stored and deflate are read)`;
  if (entry.size > limit) return `it declares ${entry.size} bytes, more than the ${limit} allowed`;
  return undefined;
}

function toEntry(e: yauzl.Entry): ZipEntry {
  // Bit 11: UTF-8 names; else CP437, whose ASCII part is all a package uses.
  const name = e.generalPurposeBitFlag & 0x800 ? e.fileNameRaw.toString('utf8') : e.fileNameRaw.toString('latin1');
  // The high byte of "version made by" is the host: 3 is Unix, whose st_mode sits in the attributes' top half.
  const unixMode = e.versionMadeBy >> 8 === 3 ? e.externalFileAttributes >>> 16 : 0;
  return {
    name,
    method: e.compressionMethod,
    crc32: e.crc32,
    compressedSize: e.compressedSize,
    size: e.uncompressedSize,
    localHeaderOffset: e.relativeOffsetOfLocalHeader,
    encrypted: e.isEncrypted(),
    symlink: (unixMode & 0o170000) === 0o120000,
  };
}

/** Counts and CRCs the bytes; more than the declared size stops at once (no zip bombs). */
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

/**
 * yauzl's and zlib's complaints about the archive become ZipError; errors of the machine (a system
 * error code: disk full, no permission; an abort) pass as they are.
 */
function asZipError(err: unknown, say: (message: string) => string): Error {
  if (err instanceof ZipError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const systemError = typeof e?.code === 'string' && !e.code.startsWith('Z_');
  if (systemError || e?.name === 'AbortError') return err instanceof Error ? err : new Error(message);
  return new ZipError(say(message));
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
