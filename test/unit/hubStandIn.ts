// A local stand-in for the Hugging Face hub (127.0.0.1, port 0), answering the routes a model download
// uses the way the hub answers them, for model folders on disk:
//   GET  /api/models/{owner}/{name}/revision/{rev}   model info: id, sha (the commit), siblings
//   GET  /api/models/{owner}/{name}/tree/{rev}[/{path}]?recursive=true   files and folders, with oid,
//        size and, for LFS files, lfs: {oid (sha256), size, pointerSize}; paged with Link rel="next"
//   GET|HEAD /{owner}/{name}/resolve/{rev}/{path}    small files served directly (ETag = git blob id);
//        LFS files answer 302 to a second, CDN-like server, with X-Repo-Commit, X-Linked-Etag (the
//        sha256), X-Linked-Size; both honour Range (206, 416)
// Errors carry X-Error-Code as the hub's do: RepoNotFound (401 without a token, as the hub answers for
// a repo it will not confirm, 404 with one), RevisionNotFound, EntryNotFound, GatedRepo.
// Faults on demand: corrupted bytes, a connection cut mid-file, a doctored listing. Every request is logged,
// and GET /__stand-in/requests (not logged itself) answers the log, for a client in another process.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface StandInRepo {
  /** The folder served as the repo's files. */
  readonly dir: string;
  /** Branch and tag names → commit; default { main: <a commit derived from the repo id> }. */
  readonly refs?: Record<string, string>;
  /** Needs a token (any) and answers GatedRepo without one. */
  readonly gated?: boolean;
}

export interface LoggedRequest {
  readonly server: 'hub' | 'cdn';
  readonly method: string;
  readonly url: string;
  readonly range?: string;
  readonly authorization: boolean;
}

export interface TreeEntry {
  type: 'file' | 'directory';
  oid: string;
  size: number;
  path: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

interface RepoFile {
  readonly path: string;
  readonly bytes: Buffer;
  readonly oid: string;
  readonly sha256?: string;
}

interface LoadedRepo {
  readonly id: string;
  readonly refs: Record<string, string>;
  readonly gated: boolean;
  readonly files: Map<string, RepoFile>;
}

/** Where a test in another process (the VS Code extension host) reads the request log. */
export const CONTROL_PATH = '/__stand-in/requests';

/** Files the hub keeps in LFS here: ONNX graphs and their external data (as the hub's .gitattributes does). */
const isLfs = (path: string) => /\.onnx($|_data)/.test(path);

export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function commitFor(repoId: string): string {
  return createHash('sha1').update(`commit ${repoId}`).digest('hex');
}

export class HubStandIn {
  readonly requests: LoggedRequest[] = [];
  /** Repo paths whose bytes are served altered (one byte flipped in the middle). */
  readonly corrupt = new Set<string>();
  /** Repo path → cut the connection once the body reaches this byte of the file; `times` requests. */
  readonly cuts = new Map<string, { at: number; times: number }>();
  /** Change what the tree API lists (the served files stay the same). */
  treeOverride?: (repoId: string, entries: TreeEntry[]) => TreeEntry[];
  /** Change the model info the revision API answers. */
  infoOverride?: (repoId: string, info: Record<string, unknown>) => Record<string, unknown>;

  private readonly repos = new Map<string, LoadedRepo>();
  private hub?: Server;
  private cdn?: Server;

  constructor(repos: Record<string, StandInRepo>, private readonly pageSize = 4) {
    for (const [id, spec] of Object.entries(repos)) {
      const files = new Map<string, RepoFile>();
      for (const path of listFiles(spec.dir)) {
        const bytes = readFileSync(join(spec.dir, path));
        files.set(path, { path, bytes, oid: gitBlobId(bytes), ...(isLfs(path) ? { sha256: sha256(bytes) } : {}) });
      }
      this.repos.set(id, { id, refs: spec.refs ?? { main: commitFor(id) }, gated: spec.gated ?? false, files });
    }
  }

  get url(): string {
    return `http://127.0.0.1:${(this.hub!.address() as AddressInfo).port}`;
  }

  private get cdnUrl(): string {
    return `http://127.0.0.1:${(this.cdn!.address() as AddressInfo).port}`;
  }

  file(repoId: string, path: string): RepoFile {
    const f = this.repos.get(repoId)?.files.get(path);
    if (!f) throw new Error(`stand-in: no ${repoId}/${path}`);
    return f;
  }

  /** The bytes served for a file while it is in `corrupt`. */
  corrupted(repoId: string, path: string): Buffer {
    const bytes = Buffer.from(this.file(repoId, path).bytes);
    bytes[bytes.length >> 1] ^= 0xff;
    return bytes;
  }

  async start(): Promise<this> {
    this.hub = createServer((req, res) => this.answer('hub', req, res));
    this.cdn = createServer((req, res) => this.answer('cdn', req, res));
    await Promise.all([this.hub, this.cdn].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    return this;
  }

  async close(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  private answer(server: 'hub' | 'cdn', req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (server === 'hub' && url.pathname === CONTROL_PATH) return json(res, { count: this.requests.length, requests: this.requests });
    this.requests.push({ server, method: req.method ?? 'GET', url: url.pathname + url.search, range: req.headers.range, authorization: !!req.headers.authorization });
    try {
      if (server === 'cdn') return this.cdnFile(url, req, res);
      const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
      if (parts[0] === 'api' && parts[1] === 'models') {
        const [owner, name, verb, rev, ...rest] = parts.slice(2);
        const repo = this.repoFor(`${owner}/${name}`, req, res);
        if (!repo) return;
        if (verb === 'revision') return this.info(repo, rev, res);
        if (verb === 'tree') return this.tree(repo, rev, rest.join('/'), url, res);
        return error(res, 404, 'Not Found');
      }
      const [owner, name, verb, rev, ...rest] = parts;
      if (verb === 'resolve') {
        const repo = this.repoFor(`${owner}/${name}`, req, res);
        if (repo) this.resolve(repo, rev, rest.join('/'), req, res);
        return;
      }
      error(res, 404, 'Not Found');
    } catch (err) {
      error(res, 500, String(err));
    }
  }

  private repoFor(id: string, req: IncomingMessage, res: ServerResponse): LoadedRepo | undefined {
    const repo = this.repos.get(id);
    const authorized = !!req.headers.authorization;
    if (!repo) {
      error(res, authorized ? 404 : 401, 'Repository not found', 'RepoNotFound');
      return undefined;
    }
    if (repo.gated && !authorized) {
      error(res, 401, `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`, 'GatedRepo');
      return undefined;
    }
    return repo;
  }

  private commitOf(repo: LoadedRepo, rev: string, res: ServerResponse): string | undefined {
    const commit = repo.refs[rev] ?? (Object.values(repo.refs).includes(rev) ? rev : undefined);
    if (!commit) error(res, 404, `Invalid rev id: ${rev}`, 'RevisionNotFound');
    return commit;
  }

  private info(repo: LoadedRepo, rev: string, res: ServerResponse): void {
    const commit = this.commitOf(repo, rev, res);
    if (!commit) return;
    let info: Record<string, unknown> = {
      _id: commit.slice(0, 24),
      id: repo.id,
      modelId: repo.id,
      sha: commit,
      private: false,
      gated: repo.gated ? 'manual' : false,
      lastModified: '2024-01-01T00:00:00.000Z',
      siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })),
    };
    if (this.infoOverride) info = this.infoOverride(repo.id, info);
    json(res, info);
  }

  private tree(repo: LoadedRepo, rev: string, under: string, url: URL, res: ServerResponse): void {
    const commit = this.commitOf(repo, rev, res);
    if (!commit) return;
    const recursive = ['true', '1', 'True'].includes(url.searchParams.get('recursive') ?? '');
    const prefix = under ? `${under}/` : '';
    const dirs = new Set<string>();
    let entries: TreeEntry[] = [];
    for (const f of repo.files.values()) {
      if (!f.path.startsWith(prefix)) continue;
      const rest = f.path.slice(prefix.length).split('/');
      for (let i = 1; i < rest.length; i++) dirs.add(prefix + rest.slice(0, i).join('/'));
      if (!recursive && rest.length > 1) continue;
      entries.push({
        type: 'file',
        oid: f.sha256 ? gitBlobId(Buffer.from(lfsPointer(f))) : f.oid,
        size: f.bytes.length,
        path: f.path,
        ...(f.sha256 ? { lfs: { oid: f.sha256, size: f.bytes.length, pointerSize: lfsPointer(f).length } } : {}),
      });
    }
    for (const d of dirs) {
      if (recursive || !d.slice(prefix.length).includes('/')) entries.push({ type: 'directory', oid: gitBlobId(Buffer.from(d)), size: 0, path: d });
    }
    entries.sort((a, b) => a.path.localeCompare(b.path));
    if (this.treeOverride) entries = this.treeOverride(repo.id, entries);
    const cursor = Number(url.searchParams.get('cursor') ?? '0');
    const page = entries.slice(cursor, cursor + this.pageSize);
    if (cursor + this.pageSize < entries.length) {
      const next = new URL(url.toString());
      next.searchParams.set('cursor', String(cursor + this.pageSize));
      res.setHeader('Link', `<${this.url}${next.pathname}${next.search}>; rel="next"`);
    }
    json(res, page);
  }

  private resolve(repo: LoadedRepo, rev: string, path: string, req: IncomingMessage, res: ServerResponse): void {
    const commit = this.commitOf(repo, rev, res);
    if (!commit) return;
    const f = repo.files.get(path);
    if (!f) return error(res, 404, 'Entry not found', 'EntryNotFound');
    res.setHeader('X-Repo-Commit', commit);
    if (f.sha256) {
      res.writeHead(302, {
        Location: `${this.cdnUrl}/repos/${repo.id.replace('/', '--')}/${f.sha256}?response-content-disposition=attachment`,
        ETag: `"${gitBlobId(Buffer.from(lfsPointer(f)))}"`,
        'X-Linked-Etag': `"${f.sha256}"`,
        'X-Linked-Size': String(f.bytes.length),
        'Content-Type': 'text/plain; charset=utf-8',
      });
      res.end(req.method === 'HEAD' ? undefined : 'Found. Redirecting');
      return;
    }
    res.setHeader('ETag', `"${f.oid}"`);
    this.serve(repo, f, req, res);
  }

  private cdnFile(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const sha = url.pathname.split('/').pop();
    for (const repo of this.repos.values()) {
      for (const f of repo.files.values()) {
        if (f.sha256 === sha) {
          res.setHeader('ETag', `"${f.sha256}"`);
          return this.serve(repo, f, req, res);
        }
      }
    }
    error(res, 404, 'NoSuchKey');
  }

  private serve(repo: LoadedRepo, f: RepoFile, req: IncomingMessage, res: ServerResponse): void {
    const bytes = this.corrupt.has(f.path) ? this.corrupted(repo.id, f.path) : f.bytes;
    const size = bytes.length;
    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'application/octet-stream');
    if (range) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(end, Number(range[2]));
      if (start >= size) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` });
        res.end();
        return;
      }
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': String(end - start + 1) });
    } else {
      res.writeHead(200, { 'Content-Length': String(size) });
    }
    if (req.method === 'HEAD') return void res.end();
    const cut = this.cuts.get(f.path);
    if (cut && cut.times > 0 && cut.at > start && cut.at <= end) {
      cut.times--;
      res.write(bytes.subarray(start, cut.at), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(bytes.subarray(start, end + 1));
  }
}

function lfsPointer(f: RepoFile): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${f.sha256}\nsize ${f.bytes.length}\n`;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function error(res: ServerResponse, status: number, message: string, code?: string): void {
  const text = JSON.stringify({ error: message });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    ...(code ? { 'X-Error-Code': code } : {}),
    'X-Error-Message': message,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
