// One file from the hub into `blobs/<hash>`: written to `<hash>.incomplete`, resumed with a Range
// request when a partial file is there, checked against the listing (sha256 for LFS files, the git
// blob id for the others) and only then renamed into place. A cancelled or broken download leaves
// the `.incomplete` file for the next attempt and nothing under the blob's name.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GhostwriterError } from '../errors';
import type { HubFile } from './files';
import { cancelled, type HubClient } from './http';

export interface BlobDownload {
  readonly client: HubClient;
  readonly repoId: string;
  readonly commit: string;
  readonly file: HubFile;
  /** The blob's final path (`…/blobs/<hash>`). */
  readonly blobPath: string;
  /** Bytes of this file on disk so far, after every write (and once at start, counting a resumed partial file). */
  readonly onBytes: (done: number) => void;
  readonly signal?: AbortSignal;
  /** More attempts, each resuming, when the connection breaks mid-file. */
  readonly retries: number;
}

/** Downloads of the same blob in this process share one promise; the file is written by one of them only. */
const inFlight = new Map<string, Promise<void>>();

export function downloadBlob(job: BlobDownload): Promise<void> {
  let pending = inFlight.get(job.blobPath);
  if (!pending) {
    pending = download(job).finally(() => inFlight.delete(job.blobPath));
    inFlight.set(job.blobPath, pending);
  }
  return pending;
}

async function download(job: BlobDownload): Promise<void> {
  const { file, blobPath } = job;
  const incomplete = `${blobPath}.incomplete`;
  for (let attempt = 0; ; attempt++) {
    const before = await sizeOf(incomplete);
    try {
      await attemptOnce(job, incomplete);
      return;
    } catch (err) {
      const retryable = err instanceof Interrupted && attempt < job.retries && !job.signal?.aborted;
      // A try that got nowhere is not tried again: the next error would be the same.
      if (retryable && (await sizeOf(incomplete)) > before) continue;
      if (err instanceof Interrupted) {
        const done = await sizeOf(incomplete);
        throw new GhostwriterError(
          'hub-unreachable',
          `The download of ${file.path} from ${job.client.endpoint} broke off at ${done} of ${file.size} bytes (${err.message}). ` +
            'Try again: it resumes where it stopped. If it keeps failing, check the network or set HF_ENDPOINT to a mirror.',
          { file: file.path, cause: err.message },
        );
      }
      throw err;
    }
  }
}

/** The connection broke (or the body ended early): resumable. */
class Interrupted extends Error {}

/** Writing the partial file failed (disk full, file too large, I/O error): the cause goes up as it is. */
class WriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(String(cause));
  }
}

async function attemptOnce(job: BlobDownload, incomplete: string): Promise<void> {
  const { file, signal } = job;
  if (signal?.aborted) throw cancelled();
  await mkdir(dirname(incomplete), { recursive: true });
  let offset = await sizeOf(incomplete);
  if (offset > file.size) {
    await rm(incomplete, { force: true });
    offset = 0;
  }
  let hash = await hashOf(file, offset > 0 ? incomplete : undefined);
  job.onBytes(offset);
  if (offset < file.size || file.size === 0) {
    let res = await job.client.openFile(job.repoId, job.commit, file.path, offset);
    if (res.status === 416) {
      // The server has nothing past `offset`: the partial file does not belong to this blob.
      await res.body?.cancel();
      await rm(incomplete, { force: true });
      offset = 0;
      hash = await hashOf(file, undefined);
      job.onBytes(0);
      res = await job.client.openFile(job.repoId, job.commit, file.path, 0);
    }
    if (offset > 0 && res.status !== 206) {
      // The server ignored the Range header and sends the whole file: start over.
      offset = 0;
      hash = await hashOf(file, undefined);
      job.onBytes(0);
    } else if (res.status === 206) {
      const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== offset) {
        await res.body?.cancel();
        throw new GhostwriterError('hub-invalid', `${job.client.endpoint} answered a request for ${file.path} from byte ${offset} with ${res.headers.get('content-range') ?? 'no Content-Range'}.`, { file: file.path });
      }
    }
    await receive(job, res, incomplete, offset, hash);
  }
  const actual = hash.digest('hex');
  const expected = file.lfs ? file.lfs.sha256 : file.oid;
  if (actual !== expected) {
    await rm(incomplete, { force: true });
    const kind = file.lfs ? 'sha256' : 'git blob id (sha1)';
    throw new GhostwriterError(
      'download-corrupt',
      `${file.path} from ${job.client.endpoint} is corrupt: its ${kind} is ${actual} but the hub lists ${expected}. The file was deleted; try again (a proxy or mirror may be altering it).`,
      { file: file.path },
    );
  }
  await rename(incomplete, job.blobPath);
}

async function receive(job: BlobDownload, res: Response, incomplete: string, offset: number, hash: Hash): Promise<void> {
  const { file, signal } = job;
  const fh = await open(incomplete, offset > 0 ? 'a' : 'w');
  let done = offset;
  try {
    if (!res.body) throw new Interrupted('the response had no body');
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (done + chunk.byteLength > file.size) {
          // More bytes than listed: not this file. The checksum below would say so; say it now and keep nothing.
          await fh.close().catch(() => undefined);
          await rm(incomplete, { force: true });
          throw new GhostwriterError(
            'download-corrupt',
            `${file.path} from ${job.client.endpoint} is longer than the ${file.size} bytes the hub lists; the partial file was deleted. Try again.`,
            { file: file.path },
          );
        }
        try {
          await fh.write(chunk);
        } catch (err) {
          // The disk, not the network: not resumable by trying again now.
          throw new WriteFailed(err);
        }
        hash.update(chunk);
        done += chunk.byteLength;
        job.onBytes(done);
      }
    } catch (err) {
      if (err instanceof GhostwriterError) throw err;
      if (err instanceof WriteFailed) throw err.cause;
      if (signal?.aborted) throw cancelled(err);
      if (isNodeError(err) && err.code === 'ENOSPC') throw err;
      throw new Interrupted(err instanceof Error ? describeFetchError(err) : String(err));
    }
    if (done < file.size) throw new Interrupted(`the connection closed after ${done} bytes`);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** A running hash of the file's content, fed with the partial file's bytes when resuming. */
async function hashOf(file: HubFile, partial: string | undefined): Promise<Hash> {
  const hash = createHash(file.lfs ? 'sha256' : 'sha1');
  // The git blob id is the sha1 of "blob <size>\0" followed by the content.
  if (!file.lfs) hash.update(`blob ${file.size}\0`);
  if (partial) {
    for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
  }
  return hash;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export function isNodeError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

function describeFetchError(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message ? `${err.message}: ${cause.message}` : err.message;
}
