// The completion server's HTTP: one POST whose body streams back, and small GETs for the health
// probe and the model list. On node:http(s) rather than fetch, for two reasons: a custom CA
// (ghostwriter.server.caFile) is an agent option there, and destroying the request closes the
// socket at once, which is how every one of these engines learns that a completion is no
// longer wanted. The key goes to the configured origin only and is never logged.
import * as http from 'node:http';
import * as https from 'node:https';
import { GhostwriterError } from '../errors';

export interface ServerTarget {
  /** http(s)://host[:port][/base], without a trailing slash. */
  readonly endpoint: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly key?: string;
  /** PEM certificates to trust besides the system's (a team's own CA). */
  readonly ca?: string;
}

export interface OpenResponse {
  readonly status: number;
  /** Retry-After in ms (seconds or an HTTP date), when the server gave one. */
  readonly retryAfterMs?: number;
  readonly body: http.IncomingMessage;
  /** Closes the connection (the server stops generating). */
  close(): void;
}

/** Before the response headers arrive: past this the server counts as unreachable. */
export const HEADERS_TIMEOUT_MS = 10_000;

/** An endpoint setting as a base URL; a trailing /v1 is dropped (the dialects add their own routes). */
export function normalizeServerEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new GhostwriterError('remote-unreachable', `The server endpoint "${endpoint}" is not a URL: give one such as http://gpu-box:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GhostwriterError('remote-unreachable', `The server endpoint "${endpoint}" must be an http:// or https:// URL.`);
  if (url.username || url.password || url.search || url.hash) throw new GhostwriterError('remote-unreachable', `The server endpoint must be a plain URL (no user, password, query or fragment); the API key is set with "Ghostwriter: Set Server API Key".`);
  return url.toString().replace(/\/+$/, '').replace(/\/v1$/, '');
}

function send(target: ServerTarget, method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined, timeoutMs: number): Promise<OpenResponse> {
  const url = new URL(normalizeServerEndpoint(target.endpoint) + path);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { accept: method === 'POST' ? 'text/event-stream, application/x-ndjson, application/json' : 'application/json' };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (target.key) headers['authorization'] = `Bearer ${target.key}`;
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new GhostwriterError('cancelled', 'The request was cancelled.'));
    const req = lib.request(url, { method, headers, ...(url.protocol === 'https:' && target.ca ? { ca: target.ca } : {}) });
    const timer = setTimeout(() => req.destroy(new GhostwriterError('remote-unreachable', `${url.origin} did not answer within ${timeoutMs} ms.`)), timeoutMs);
    const onAbort = () => req.destroy(new GhostwriterError('cancelled', 'The request was cancelled.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err instanceof GhostwriterError ? err : new GhostwriterError('remote-unreachable', `${url.origin} could not be reached: ${err.message}`, { cause: err }));
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve({
        status: res.statusCode ?? 0,
        ...retryAfter(res.headers['retry-after']),
        body: res,
        close: () => {
          signal?.removeEventListener('abort', onAbort);
          req.destroy();
        },
      });
    });
    req.end(payload);
  });
}

/** POSTs a JSON body; the response body is read by the caller as it streams. */
export function postStream(target: ServerTarget, path: string, body: unknown, signal: AbortSignal, timeoutMs = HEADERS_TIMEOUT_MS): Promise<OpenResponse> {
  return send(target, 'POST', path, body, signal, timeoutMs);
}

/** GETs a small JSON document: its status and body text (whole, at most 1 MiB). */
export async function getText(target: ServerTarget, path: string, signal?: AbortSignal, timeoutMs = HEADERS_TIMEOUT_MS): Promise<{ status: number; text: string; retryAfterMs?: number }> {
  const res = await send(target, 'GET', path, undefined, signal, timeoutMs);
  try {
    const text = await readText(res.body);
    return { status: res.status, text, ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}) };
  } finally {
    res.close();
  }
}

/** A body's text, at most `limit` bytes (an error body, a model list). */
export async function readText(body: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break;
  }
  return Buffer.concat(parts).toString('utf8');
}

function retryAfter(value: string | undefined): { retryAfterMs?: number } {
  if (!value) return {};
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return { retryAfterMs: seconds * 1000 };
  const at = Date.parse(value);
  return Number.isFinite(at) ? { retryAfterMs: Math.max(0, at - Date.now()) } : {};
}
