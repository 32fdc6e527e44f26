// A model source (a folder, or a hub repo id[@revision]) → a folder the engine can load. Hub models
// live in the standard Hugging Face cache; one already there (refs/<revision> → a snapshot with the
// files the variant needs) is used with no network request at all. Otherwise: the revision is
// resolved to a commit, the files are listed, and only the variant's files are downloaded,
// resumed, verified and linked into snapshots/<commit>/.
import { readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFile } from '../config';
import { GhostwriterError } from '../errors';
import {
  exists,
  hubCacheRoot,
  isCached,
  isKnownMissing,
  linkBlob,
  markMissing,
  readRef,
  repoCacheDir,
  safeJoin,
  snapshotDir,
  validBlobName,
  writeRef,
} from './cache';
import { downloadBlob, isNodeError } from './download';
import { blobName, externalDataFiles, onnxCandidates, OPTIONAL_FILES, REQUIRED_FILES, selectFiles, type HubFile } from './files';
import { cancelled, defaultEndpoint, HubClient } from './http';
import { isCommitHash, parseModelSource, type ModelSource } from './source';

export { describeSnapshotDir, hubCacheRoot, repoCacheDir, repoFolderName } from './cache';
export { DEFAULT_ENDPOINT, defaultEndpoint, normalizeEndpoint } from './http';
export { DEFAULT_REVISION, isCommitHash, parseModelSource, parseRepoId, type ModelSource } from './source';
export type { HubFile } from './files';

export interface DownloadProgress {
  /** The repo path of the file being downloaded. */
  readonly file: string;
  readonly fileBytes: number;
  readonly fileTotal: number;
  /** Over every file this call downloads (files already in the cache are not counted). */
  readonly bytes: number;
  readonly total: number;
  readonly fileIndex: number;
  readonly fileCount: number;
}

export interface ResolveModelOptions {
  /** A folder path, `owner/name[@revision]`, or an already parsed source. */
  readonly source: string | ModelSource;
  /** For a hub id without `@revision`; default `main`. */
  readonly revision?: string;
  /** Which ONNX file (as the `modelFile` setting); default `auto`. */
  readonly modelFile?: ModelFile;
  /** The model will run on the CPU, which makes `auto` take the int8 file when the repo has one; default true. */
  readonly onCpu?: boolean;
  /** Default `HF_ENDPOINT`, else https://huggingface.co. */
  readonly endpoint?: string;
  /** Sent as `Authorization: Bearer` to the endpoint only; never logged. */
  readonly token?: string;
  /** Default `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  readonly cacheRoot?: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download; what was downloaded is kept and the next call resumes it. */
  readonly signal?: AbortSignal;
  /** Never ask the network (as `HF_HUB_OFFLINE=1`): the cache only. */
  readonly offline?: boolean;
  /** Ask the hub where the revision points now even when the cache has a snapshot for it. */
  readonly refresh?: boolean;
  /** Resuming attempts per file when the connection breaks mid-file; default 3. */
  readonly retries?: number;
  /** Free bytes on the disk of a folder (undefined: unknown); default `statfs`. */
  readonly freeBytes?: (dir: string) => Promise<number | undefined>;
}

export interface ResolvedFile {
  /** The path in the repo, e.g. `onnx/model_quantized.onnx`. */
  readonly path: string;
  readonly size: number;
  /** The blob's name in the cache (LFS sha256 or git blob id) when known. */
  readonly blob?: string;
}

export type ResolvedModel =
  | { readonly kind: 'folder'; readonly dir: string }
  | {
      readonly kind: 'hub';
      /** The snapshot folder: load this. */
      readonly dir: string;
      readonly repoId: string;
      readonly revision: string;
      readonly commit: string;
      readonly endpoint: string;
      /** The ONNX file chosen, as a repo path. */
      readonly onnxFile: string;
      readonly files: readonly ResolvedFile[];
      /** No request was made (a cache hit), or the hub could not be reached and the cache had a fitting snapshot. */
      readonly fromCache: boolean;
      readonly downloadedBytes: number;
      /** Why a cached snapshot was used without asking the hub when that was not a plain hit (offline). */
      readonly note?: string;
    };

export async function resolveModel(options: ResolveModelOptions): Promise<ResolvedModel> {
  const source = typeof options.source === 'string' ? parseModelSource(options.source, { revision: options.revision }) : options.source;
  if (source.kind === 'folder') return { kind: 'folder', dir: source.path };
  const { repoId, revision } = source;
  const modelFile = options.modelFile ?? 'auto';
  const onCpu = options.onCpu ?? true;
  const cacheRoot = options.cacheRoot ?? hubCacheRoot();
  const repoDir = repoCacheDir(cacheRoot, repoId);
  const endpointText = options.endpoint ?? defaultEndpoint();

  const cached = options.refresh ? undefined : await lookupCache(repoDir, revision, modelFile, onCpu);
  const fromCache = (hit: CacheHit, note?: string): ResolvedModel => ({
    kind: 'hub',
    dir: hit.dir,
    repoId,
    revision,
    commit: hit.commit,
    endpoint: endpointText,
    onnxFile: hit.onnxFile,
    files: hit.files,
    fromCache: true,
    downloadedBytes: 0,
    ...(note ? { note } : {}),
  });
  if (cached?.hit) return fromCache(cached.hit);
  if (options.offline) {
    if (cached?.fallback) return fromCache(cached.fallback, 'offline: the cached snapshot was used without asking the hub');
    throw new GhostwriterError(
      'hub-unreachable',
      `${repoId}@${revision} is not in the Hugging Face cache at ${cacheRoot}, and offline mode (HF_HUB_OFFLINE) allows no download. Turn offline mode off, or use a local model folder.`,
    );
  }

  const client = new HubClient({ endpoint: endpointText, token: options.token, signal: options.signal });
  let commit: string;
  let listing: HubFile[];
  try {
    commit = isCommitHash(revision) ? revision : await client.commitOf(repoId, revision);
    listing = await client.listFiles(repoId, commit);
  } catch (err) {
    // Unreachable, but the cache has this model in a form that loads: use it, saying so.
    if (err instanceof GhostwriterError && err.code === 'hub-unreachable' && cached?.fallback) {
      return fromCache(cached.fallback, `${err.message} The cached snapshot ${cached.fallback.commit} was used.`);
    }
    throw err;
  }

  // Every name and hash from the listing is checked before anything is written.
  const snapshot = snapshotDir(repoDir, commit);
  for (const file of listing) {
    safeJoin(snapshot, file.path);
  }
  const selection = selectFiles(listing, modelFile, onCpu, `${repoId}@${revision} on ${client.endpoint}`);
  for (const file of selection.files) {
    if (!validBlobName(blobName(file))) {
      throw new GhostwriterError(
        'hub-invalid',
        `The hub listed ${file.path} with the hash ${JSON.stringify(blobName(file))}, which is not a sha256 or git blob id; it was refused and nothing was written.`,
        { file: file.path },
      );
    }
  }

  const blobs = join(repoDir, 'blobs');
  const todo: { file: HubFile; blob: string; partial: number }[] = [];
  for (const file of selection.files) {
    const blob = join(blobs, blobName(file));
    if (await isCached(repoDir, commit, file.path)) continue;
    if (await exists(blob)) continue;
    todo.push({ file, blob, partial: await sizeOf(`${blob}.incomplete`) });
  }
  const total = todo.reduce((sum, t) => sum + t.file.size, 0);
  const needed = todo.reduce((sum, t) => sum + Math.max(0, t.file.size - t.partial), 0);
  await checkFreeSpace(cacheRoot, needed, options.freeBytes ?? freeBytesOf);

  let doneBefore = 0;
  let downloadedBytes = 0;
  for (const [index, { file, blob, partial }] of todo.entries()) {
    if (options.signal?.aborted) throw cancelled();
    const report = (fileBytes: number) =>
      options.onProgress?.({ file: file.path, fileBytes, fileTotal: file.size, bytes: doneBefore + fileBytes, total, fileIndex: index, fileCount: todo.length });
    try {
      await downloadBlob({ client, repoId, commit, file, blobPath: blob, onBytes: report, signal: options.signal, retries: options.retries ?? 3 });
    } catch (err) {
      if (isNodeError(err) && NO_ROOM.has(err.code ?? '')) {
        const left = needed - downloadedBytes;
        throw new GhostwriterError(
          'disk-full',
          `The disk holding the Hugging Face cache ${cacheRoot} is full while downloading ${file.path}: about ${formatBytes(left)} more are needed. ` +
            'Free some space, or set HF_HUB_CACHE to a folder on a disk with room; the download resumes where it stopped.',
          { file: file.path, cause: err },
        );
      }
      if (isNodeError(err) && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code) && !(err instanceof GhostwriterError)) {
        throw new GhostwriterError(
          'write-failed',
          `Writing ${file.path} into the Hugging Face cache ${cacheRoot} failed (${err.code}: ${err.message}). Nothing half-written is used; the download resumes where it stopped once the disk can be written.`,
          { file: file.path, cause: err },
        );
      }
      throw err;
    }
    doneBefore += file.size;
    downloadedBytes += file.size - partial;
  }

  // Link every file into the snapshot (blobs downloaded now, or there already from another revision or tool).
  const downloaded = new Set(todo.map((t) => t.blob));
  for (const file of selection.files) {
    const pointer = safeJoin(snapshot, file.path);
    if (await exists(pointer)) continue;
    const blob = join(blobs, blobName(file));
    await linkBlob(blob, pointer, downloaded.has(blob));
  }
  for (const path of selection.absent) await markMissing(repoDir, commit, path);
  await writeRef(repoDir, revision, commit);

  return {
    kind: 'hub',
    dir: snapshot,
    repoId,
    revision,
    commit,
    endpoint: client.endpoint,
    onnxFile: selection.onnxFile,
    files: selection.files.map((f) => ({ path: f.path, size: f.size, blob: blobName(f) })),
    fromCache: false,
    downloadedBytes,
  };
}

interface CacheHit {
  readonly dir: string;
  readonly commit: string;
  readonly onnxFile: string;
  readonly files: readonly ResolvedFile[];
}

/**
 * What the cache holds for a revision and variant, without the network. `hit`: the snapshot has
 * the required files and the ONNX file the variant would pick from the repo — every better-ranked
 * candidate is known absent (`.no_exist/`). `fallback`: the snapshot loads, but a better-ranked
 * file may exist on the hub (used when the hub cannot be reached).
 */
export async function lookupCache(
  repoDir: string,
  revision: string,
  modelFile: ModelFile,
  onCpu: boolean,
): Promise<{ hit?: CacheHit; fallback?: CacheHit } | undefined> {
  const commit = await readRef(repoDir, revision);
  if (!commit) return undefined;
  const dir = snapshotDir(repoDir, commit);
  for (const path of REQUIRED_FILES) if (!(await isCached(repoDir, commit, path))) return undefined;
  const candidates = onnxCandidates(modelFile, onCpu);
  let allBetterAbsent = true;
  for (const onnxFile of candidates) {
    if (await isCached(repoDir, commit, onnxFile)) {
      const present: string[] = [...REQUIRED_FILES];
      for (const path of OPTIONAL_FILES) if (await isCached(repoDir, commit, path)) present.push(path);
      present.push(onnxFile);
      let onnxDir: string[] = [];
      try {
        onnxDir = (await readdir(join(dir, 'onnx'))).map((n) => `onnx/${n}`);
      } catch {
        // no onnx folder listing: no external data
      }
      present.push(...externalDataFiles(onnxFile, onnxDir));
      const files: ResolvedFile[] = [];
      for (const path of present) files.push({ path, size: await sizeOf(join(dir, path)) });
      const hit: CacheHit = { dir, commit, onnxFile, files };
      return allBetterAbsent ? { hit, fallback: hit } : { fallback: hit };
    }
    if (!(await isKnownMissing(repoDir, commit, onnxFile))) allBetterAbsent = false;
  }
  return undefined;
}

async function checkFreeSpace(cacheRoot: string, needed: number, freeBytes: (dir: string) => Promise<number | undefined>): Promise<void> {
  if (needed === 0) return;
  const free = await freeBytes(cacheRoot);
  if (free !== undefined && free < needed) {
    throw new GhostwriterError(
      'disk-full',
      `Not enough disk space for the Hugging Face cache ${cacheRoot}: the download needs ${formatBytes(needed)} and ${formatBytes(free)} are free. ` +
        'Free some space, or set HF_HUB_CACHE to a folder on a disk with room.',
    );
  }
}

/** Free bytes on the disk that holds `dir` (or its nearest existing parent); undefined where statfs is not available. */
async function freeBytesOf(dir: string): Promise<number | undefined> {
  for (let d = dir; ; d = join(d, '..')) {
    try {
      const s = await statfs(d);
      return s.bavail * s.bsize;
    } catch (err) {
      if (!(isNodeError(err) && err.code === 'ENOENT') || join(d, '..') === d) return undefined;
    }
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Write errors that mean the disk (or the quota, or the file size limit) has no room. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
