// The Hugging Face hub cache, laid out as Python huggingface_hub (and so transformers), @huggingface/hub
// and hf-hub (Rust) lay it out, so a model any of them downloaded is reused here and ours by them.
// The layout, from the hub's reference "Hub Local Cache" (huggingface/hub-docs, docs/hub/local-cache.md):
//   <root>/models--{owner}--{name}/
//     blobs/<hash>               file contents, named by the file's hub etag: the LFS sha256 (64 hex)
//                                for LFS files, the git blob sha1 (40 hex) for the others
//     snapshots/<commit>/<path>  relative symlinks into blobs/ (`../../blobs/<hash>`, one more `../`
//                                per subfolder); real copies where symlinks cannot be made (Windows
//                                without developer mode)
//     refs/<revision>            one line: the commit hash the branch or tag pointed to
//     .no_exist/<commit>/<path>  empty marker: the file is known not to exist at that commit
//   Partial downloads are `blobs/<hash>.incomplete` (huggingface_hub and @huggingface/hub both).
import { randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GhostwriterError } from '../errors';
import { isCommitHash } from './source';

/** `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (XDG_CACHE_HOME and the legacy HUGGINGFACE_HUB_CACHE as huggingface_hub reads them). */
export function hubCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const value = (name: string) => (env[name] && env[name]!.trim() !== '' ? expandHome(env[name]!) : undefined);
  const direct = value('HF_HUB_CACHE') ?? value('HUGGINGFACE_HUB_CACHE');
  if (direct) return direct;
  const home = value('HF_HOME') ?? join(value('XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

/** `owner/name` → `models--owner--name`. */
export function repoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

export function repoCacheDir(cacheRoot: string, repoId: string): string {
  return join(cacheRoot, repoFolderName(repoId));
}

export function snapshotDir(repoDir: string, commit: string): string {
  return join(repoDir, 'snapshots', commit);
}

/** A snapshot folder (or a file in one) → the repo id and commit it holds, for showing `Xenova/gpt2` instead of a hash. */
export function describeSnapshotDir(dir: string): { repoId: string; commit: string } | undefined {
  const parts = resolve(dir).split(/[\\/]/);
  for (let i = parts.length - 3; i >= 0; i--) {
    const m = /^models--([^/\\]+?)--([^/\\]+)$/.exec(parts[i]);
    if (m && parts[i + 1] === 'snapshots' && isCommitHash(parts[i + 2])) return { repoId: `${m[1]}/${m[2]}`, commit: parts[i + 2] };
  }
  return undefined;
}

/**
 * `base/relPath` for a file name that came from the hub, refusing any name that could land outside
 * `base`: `..` segments, absolute, drive or UNC paths, backslashes (a separator on Windows), empty
 * segments, control characters. Nothing is written for a refused name.
 */
export function safeJoin(base: string, relPath: string): string {
  const refuse = (why: string) =>
    new GhostwriterError('hub-invalid', `The hub listed a file named ${JSON.stringify(relPath)}, which ${why}; it was refused and nothing was written.`, {
      file: relPath,
    });
  if (relPath === '' || /[\x00-\x1f\x7f]/.test(relPath)) throw refuse('is empty or has control characters');
  if (relPath.includes('\\')) throw refuse('has a backslash (a path separator on Windows)');
  if (relPath.startsWith('/') || /^[A-Za-z]:/.test(relPath) || isAbsolute(relPath)) throw refuse('is an absolute path');
  const segments = relPath.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /^[A-Za-z]:/.test(s))) throw refuse('has an empty, "." or ".." segment');
  const full = resolve(base, ...segments);
  const rel = relative(resolve(base), full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw refuse(`resolves outside ${base}`);
  return full;
}

/** A blob name from the hub (an LFS sha256 or a git sha1): it becomes a file name, so nothing else is accepted. */
export function validBlobName(oid: string): boolean {
  return /^[0-9a-f]{40}$/.test(oid) || /^[0-9a-f]{64}$/.test(oid);
}

/** The commit a revision points to in the cache: the revision itself when it is a commit, else `refs/<revision>`. */
export async function readRef(repoDir: string, revision: string): Promise<string | undefined> {
  if (isCommitHash(revision)) return revision;
  try {
    const commit = (await readFile(join(repoDir, 'refs', ...revision.split('/')), 'utf8')).trim();
    return isCommitHash(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

export async function writeRef(repoDir: string, revision: string, commit: string): Promise<void> {
  if (isCommitHash(revision)) return;
  await writeAtomically(join(repoDir, 'refs', ...revision.split('/')), commit);
}

/** Whether a snapshot holds the file (a symlink whose blob is there, or a real file). */
export async function isCached(repoDir: string, commit: string, path: string): Promise<boolean> {
  return exists(safeJoin(snapshotDir(repoDir, commit), path));
}

export async function isKnownMissing(repoDir: string, commit: string, path: string): Promise<boolean> {
  return exists(safeJoin(join(repoDir, '.no_exist', commit), path));
}

export async function markMissing(repoDir: string, commit: string, path: string): Promise<void> {
  const marker = safeJoin(join(repoDir, '.no_exist', commit), path);
  await mkdir(dirname(marker), { recursive: true });
  await writeFile(marker, '');
}

/**
 * Makes `pointer` (in a snapshot) a relative symlink to `blob`, replacing what was there. Where
 * symlinks fail, the snapshot gets the file itself: moved when the blob was just downloaded (as
 * huggingface_hub does, to avoid holding it twice), copied when other snapshots may point at it.
 */
export async function linkBlob(blob: string, pointer: string, newBlob: boolean): Promise<void> {
  await mkdir(dirname(pointer), { recursive: true });
  const tmp = `${pointer}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await symlink(relative(dirname(pointer), blob), tmp);
    await rename(tmp, pointer);
    return;
  } catch {
    await rm(tmp, { force: true });
  }
  await rm(pointer, { force: true });
  if (newBlob) await rename(blob, pointer);
  else await copyFile(blob, pointer);
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether there is anything at `path`, a dangling symlink included. */
export async function existsNoFollow(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
