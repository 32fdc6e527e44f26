// The few routes of the Hugging Face hub HTTP API a model download needs, on Node's fetch:
//   GET /api/models/{repo}/revision/{revision}       model info; `sha` is the commit the revision points to
//   GET /api/models/{repo}/tree/{commit}?recursive=true  files with size, git oid and `lfs: {oid (sha256), size}`,
//                                                    paged with a `Link: <…>; rel="next"` header
//   GET /{repo}/resolve/{commit}/{path}               the file; LFS files answer 302 to a CDN
// Errors carry the hub's `X-Error-Code` (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo);
// a missing repo answers 401 when no token is sent (the hub does not say whether a private one exists).
// The token goes to the endpoint's origin only, never to a redirect elsewhere, and is never logged.
import { GhostwriterError } from '../errors';
import type { HubFile } from './files';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** `HF_ENDPOINT` (mirrors, a local stand-in), else huggingface.co. */
export function defaultEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const value = env['HF_ENDPOINT']?.trim();
  return value ? value : DEFAULT_ENDPOINT;
}

export function normalizeEndpoint(endpoint: string, what = 'hub endpoint'): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new GhostwriterError('model-source-invalid', `The ${what} "${endpoint}" is not a URL: give one such as ${what === 'hub endpoint' ? DEFAULT_ENDPOINT : 'http://127.0.0.1:8080'}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GhostwriterError('model-source-invalid', `The ${what} "${endpoint}" must be an http:// or https:// URL.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new GhostwriterError('model-source-invalid', `The ${what} "${url.origin}${url.pathname}" must be a plain URL (no user, password, query or fragment); give a token separately.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** Before the response headers; a download's body has no deadline (it may be long), only the caller's signal. */
const HEADERS_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 10;
const PAGE_LIMIT = 1000;

export interface HubClientOptions {
  readonly endpoint: string;
  readonly token?: string;
  readonly signal?: AbortSignal;
}

interface Subject {
  readonly repoId: string;
  readonly revision?: string;
  readonly path?: string;
}

export class HubClient {
  readonly endpoint: string;
  private readonly origin: string;

  constructor(private readonly options: HubClientOptions) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    this.origin = new URL(this.endpoint).origin;
  }

  /** The commit a branch or tag points to now. */
  async commitOf(repoId: string, revision: string): Promise<string> {
    const url = `${this.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`;
    const info = await this.json(url, { repoId, revision });
    const sha = info && typeof info === 'object' ? (info as { sha?: unknown }).sha : undefined;
    if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
      throw new GhostwriterError('hub-invalid', `The hub at ${this.endpoint} answered for ${repoId}@${revision} without a commit hash (sha): is it a Hugging Face hub endpoint?`);
    }
    return sha;
  }

  /** Every file at a commit, with sizes and LFS sha256s. */
  async listFiles(repoId: string, commit: string): Promise<HubFile[]> {
    const files: HubFile[] = [];
    let url: string | undefined = `${this.endpoint}/api/models/${repoId}/tree/${commit}?recursive=true&expand=false`;
    for (let page = 0; url; page++) {
      if (page >= PAGE_LIMIT) throw new GhostwriterError('hub-invalid', `The file listing of ${repoId} at ${this.endpoint} did not end after ${PAGE_LIMIT} pages.`);
      const res = await this.get(url, { repoId, revision: commit }, { accept: 'application/json' });
      const entries = await readJson(res, url);
      if (!Array.isArray(entries)) throw new GhostwriterError('hub-invalid', `The file listing of ${repoId} at ${this.endpoint} is not a list (${url}).`);
      for (const entry of entries) {
        const file = parseTreeEntry(entry);
        if (file) files.push(file);
      }
      const next = nextLink(res.headers.get('link'));
      url = next ? new URL(next, url).toString() : undefined;
    }
    return files;
  }

  /** The response carrying a file's bytes from `offset` on (a `Range` request when offset > 0), redirects followed. */
  async openFile(repoId: string, commit: string, path: string, offset: number): Promise<Response> {
    const url = `${this.endpoint}/${repoId}/resolve/${commit}/${path.split('/').map(encodeURIComponent).join('/')}`;
    // identity: the byte counts (Range, sizes, checksums) are of the file itself, not of a compressed form.
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) };
    return this.get(url, { repoId, revision: commit, path }, headers, true);
  }

  private async json(url: string, subject: Subject): Promise<unknown> {
    return readJson(await this.get(url, subject, { accept: 'application/json' }), url);
  }

  /** GET with redirects followed by hand, so the token is sent only to the endpoint's own origin. */
  private async get(url: string, subject: Subject, headers: Record<string, string>, okRange = false): Promise<Response> {
    const signal = this.options.signal;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = new URL(current).origin === this.origin;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), HEADERS_TIMEOUT_MS);
      let res: Response;
      try {
        res = await fetch(current, {
          redirect: 'manual',
          headers: { ...headers, ...(this.options.token && sameOrigin ? { authorization: `Bearer ${this.options.token}` } : {}) },
          signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
        });
      } catch (cause) {
        if (signal?.aborted) throw cancelled(cause);
        throw this.unreachable(cause, timeout.signal.aborted);
      } finally {
        clearTimeout(timer);
      }
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        current = new URL(res.headers.get('location')!, current).toString();
        continue;
      }
      if (res.ok || (okRange && res.status === 416)) return res;
      await res.body?.cancel().catch(() => undefined);
      throw this.httpError(res, subject);
    }
    throw new GhostwriterError('hub-invalid', `The hub at ${this.endpoint} redirected more than ${MAX_REDIRECTS} times for ${url}.`);
  }

  private unreachable(cause: unknown, timedOut: boolean): GhostwriterError {
    const code = errorCode(cause);
    const why = timedOut ? `no answer in ${HEADERS_TIMEOUT_MS / 1000} s` : code ?? describe(cause);
    return new GhostwriterError(
      'hub-unreachable',
      `Cannot reach the Hugging Face hub at ${this.endpoint} (${why}). Check the network connection; behind a firewall or offline, ` +
        'set HF_ENDPOINT (or the hub endpoint setting) to a mirror you can reach, or use a local model folder.',
      { cause: code ?? describe(cause) },
    );
  }

  private httpError(res: Response, subject: Subject): GhostwriterError {
    const errorCode = res.headers.get('x-error-code');
    const { repoId, revision, path } = subject;
    const at = `${this.endpoint}`;
    const tokenHint = this.options.token
      ? 'The token that was sent cannot read it: check that it is valid and, for a gated repo, that its account accepted the terms.'
      : 'Set a Hugging Face token (HF_TOKEN, or the extension\'s "Set Hugging Face Token") that can read it.';
    if (errorCode === 'RepoNotFound') {
      const maybePrivate = res.status === 401 && !this.options.token ? ' (or it is private or gated and needs a token: set HF_TOKEN)' : '';
      return new GhostwriterError('hub-not-found', `Repository ${repoId} was not found on ${at}${maybePrivate}. Check the repo id.`, { file: repoId });
    }
    if (errorCode === 'RevisionNotFound') {
      return new GhostwriterError('hub-not-found', `Revision ${revision} of ${repoId} was not found on ${at}: check the branch, tag or commit.`, { file: repoId });
    }
    if (errorCode === 'EntryNotFound' || (res.status === 404 && path)) {
      return new GhostwriterError('hub-not-found', `${repoId} at ${revision} has no file ${path ?? '(unknown)'} on ${at}.`, { file: path });
    }
    if (errorCode === 'GatedRepo') {
      return new GhostwriterError('hub-unauthorized', `${repoId} is a gated repo: accept its terms at ${at}/${repoId} while logged in, then use a token of that account. ${tokenHint}`, { file: repoId });
    }
    if (res.status === 401 || res.status === 403) {
      return new GhostwriterError('hub-unauthorized', `${at} refused access to ${repoId} (HTTP ${res.status}): it is private or gated. ${tokenHint}`, { file: repoId });
    }
    if (res.status === 404) {
      return new GhostwriterError('hub-not-found', `Repository ${repoId}${revision ? ` or its revision ${revision}` : ''} was not found on ${at}. Check the repo id and revision.`, { file: repoId });
    }
    return new GhostwriterError(
      'hub-unreachable',
      `The hub at ${at} answered HTTP ${res.status} for ${repoId}${path ? ` (${path})` : ''}. Try again later, or set HF_ENDPOINT to a mirror, or use a local model folder.`,
    );
  }
}

export function cancelled(cause?: unknown): GhostwriterError {
  return new GhostwriterError('cancelled', 'The download was cancelled; what was downloaded is kept and the next attempt resumes.', cause === undefined ? undefined : { cause });
}

/** One tree entry → a file, or undefined for folders. Ill-typed entries are the server's fault. */
function parseTreeEntry(entry: unknown): HubFile | undefined {
  const e = entry as { type?: unknown; path?: unknown; size?: unknown; oid?: unknown; lfs?: { oid?: unknown; size?: unknown } | null };
  if (!e || typeof e !== 'object' || typeof e.path !== 'string') throw new GhostwriterError('hub-invalid', `The hub listed an entry without a path: ${JSON.stringify(entry)?.slice(0, 200)}`);
  if (e.type !== 'file') return undefined;
  const size = Number(e.size);
  if (!Number.isSafeInteger(size) || size < 0 || typeof e.oid !== 'string') {
    throw new GhostwriterError('hub-invalid', `The hub listed ${JSON.stringify(e.path)} without a size or oid.`, { file: e.path });
  }
  if (e.lfs && typeof e.lfs === 'object') {
    const lfsSize = Number(e.lfs.size);
    if (typeof e.lfs.oid !== 'string' || !Number.isSafeInteger(lfsSize) || lfsSize < 0) {
      throw new GhostwriterError('hub-invalid', `The hub listed ${JSON.stringify(e.path)} as an LFS file without its sha256 and size.`, { file: e.path });
    }
    return { path: e.path, size: lfsSize, oid: e.oid, lfs: { sha256: e.lfs.oid, size: lfsSize } };
  }
  return { path: e.path, size, oid: e.oid };
}

function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (m && /\brel="?next"?/.test(m[2])) return m[1];
  }
  return undefined;
}

async function readJson(res: Response, url: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new GhostwriterError('hub-invalid', `${url} did not answer JSON (HTTP ${res.status}, "${text.slice(0, 80)}"): is the endpoint a Hugging Face hub?`);
  }
}

/** ECONNREFUSED, ENOTFOUND… from fetch's `cause` chain. */
function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
  }
  return undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
