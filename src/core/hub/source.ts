// Where a model comes from: a local folder, or a Hugging Face hub repo id with an optional revision
// (`Xenova/gpt2`, `Xenova/distilgpt2@main`, `owner/name@<40-hex commit>`).
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GhostwriterError } from '../errors';

export type ModelSource =
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 'hub'; readonly repoId: string; readonly revision: string };

/** The revision used when none is given: the hub's default branch. */
export const DEFAULT_REVISION = 'main';

const COMMIT = /^[0-9a-f]{40}$/;

export function isCommitHash(text: string): boolean {
  return COMMIT.test(text);
}

/**
 * A local folder when `text` is a path (absolute, `./`, `../`, `~`, a drive letter or a backslash)
 * or names an existing directory (as transformers does); otherwise it must be a hub id
 * `owner/name[@revision]`. `revision` (a `--revision` flag, a setting) applies to hub ids only.
 */
export function parseModelSource(
  text: string,
  options: { revision?: string; isDirectory?: (path: string) => boolean } = {},
): ModelSource {
  const trimmed = text.trim();
  if (trimmed === '') throw invalid('No model given: name a model folder or a hub repo id such as Xenova/gpt2.');
  const isDirectory = options.isDirectory ?? directoryExists;
  if (looksLikePath(trimmed) || isDirectory(trimmed)) {
    if (options.revision !== undefined) {
      throw invalid(`A revision (${options.revision}) applies to hub repo ids, but ${trimmed} is a local folder.`);
    }
    return { kind: 'folder', path: trimmed === '~' || trimmed.startsWith('~/') ? join(homedir(), trimmed.slice(1)) : trimmed };
  }
  const { repoId, revision } = parseRepoId(trimmed);
  if (revision !== undefined && options.revision !== undefined && revision !== options.revision) {
    throw invalid(`${trimmed} names revision ${revision} but the revision option says ${options.revision}: give one.`);
  }
  return { kind: 'hub', repoId, revision: validateRevision(revision ?? options.revision ?? DEFAULT_REVISION) };
}

/** `owner/name[@revision]` → its parts; the rules are the hub's (huggingface_hub's validate_repo_id). */
export function parseRepoId(text: string): { repoId: string; revision?: string } {
  const at = text.indexOf('@');
  const repoId = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? undefined : text.slice(at + 1);
  const parts = repoId.split('/');
  const hint = 'A hub repo id is owner/name (letters, digits, -, _ and .), optionally @revision, e.g. Xenova/gpt2 or Xenova/gpt2@main';
  if (parts.length !== 2) {
    throw invalid(`"${text}" is not a model folder or a hub repo id. ${hint}; a folder must exist (or start with / or ./).`);
  }
  for (const part of parts) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part) || part.endsWith('.') || part.endsWith('-')) {
      throw invalid(`"${text}" is not a valid hub repo id: "${part}" has characters the hub does not allow. ${hint}.`);
    }
  }
  if (repoId.includes('--') || repoId.includes('..') || repoId.endsWith('.git') || repoId.length > 96) {
    throw invalid(`"${text}" is not a valid hub repo id: no "--" or "..", no ".git" ending, at most 96 characters. ${hint}.`);
  }
  if (revision !== undefined) validateRevision(revision);
  return revision === undefined ? { repoId } : { repoId, revision };
}

/**
 * A branch, tag or commit. It becomes a path under `refs/` in the cache, so it is held to git's
 * ref-name rules that matter for that: no empty or `.`/`..` segment, no backslash or control
 * character, no leading or trailing `/`.
 */
export function validateRevision(revision: string): string {
  const bad =
    revision === '' ||
    revision.length > 255 ||
    revision.startsWith('/') ||
    revision.endsWith('/') ||
    revision.endsWith('.lock') ||
    /[\\\s~^:?*[\]\x00-\x1f\x7f]/.test(revision) ||
    revision.split('/').some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'));
  if (bad) throw invalid(`"${revision}" is not a valid revision: give a branch or tag name (such as main) or a 40-character commit hash.`);
  return revision;
}

function looksLikePath(text: string): boolean {
  return (
    text.startsWith('/') ||
    text.startsWith('./') ||
    text.startsWith('../') ||
    text === '.' ||
    text === '..' ||
    text.startsWith('~') ||
    text.includes('\\') ||
    /^[A-Za-z]:/.test(text)
  );
}

function directoryExists(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function invalid(message: string): GhostwriterError {
  return new GhostwriterError('model-source-invalid', message);
}
