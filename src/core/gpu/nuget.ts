// The few NuGet v3 routes the CUDA provider package needs (https://learn.microsoft.com/nuget/api/overview),
// on Node's fetch. The same path onnxruntime-node's install script takes to the package:
//   GET {service index}                                   resources; PackageBaseAddress/3.0.0 is the "flat container"
//   GET {flat}/{lower id}/index.json                      the versions there are
//   GET {flat}/{lower id}/{lower version}/{lower id}.{lower version}.nupkg   the package (a zip)
// and, for its checksum, the registration and catalog (the flat container publishes none):
//   GET {RegistrationsBaseUrl}/{lower id}/index.json      pages of leaves; each leaf's catalogEntry has an @id
//   GET {catalogEntry @id}                                the catalog leaf: packageHash (base64), packageHashAlgorithm (SHA512), packageSize
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GhostwriterError } from '../errors';

export const NUGET_SERVICE_INDEX = 'https://api.nuget.org/v3/index.json';

const HEADERS_TIMEOUT_MS = 30_000;
/** A body that sends nothing for this long is treated as a broken connection. */
const IDLE_TIMEOUT_MS = 60_000;
const MAX_PAGES = 20;

export interface NugetPackage {
  readonly id: string;
  /** Lower-case, as the flat container spells it. */
  readonly version: string;
  readonly url: string;
  /** From the catalog: base64 SHA-512 of the .nupkg and its size; absent when the feed publishes none. */
  readonly sha512?: string;
  readonly size?: number;
  /** Where the checksum came from, or why there is none. */
  readonly hashNote: string;
}

export interface NugetOptions {
  /** The v3 service index (default nuget.org's); a mirror or a local stand-in in tests. */
  readonly serviceIndex?: string;
  readonly signal?: AbortSignal;
}

/** Finds `id` at `version` on the feed: its download URL and, when the catalog has it, its SHA-512. */
export async function locatePackage(id: string, version: string, options: NugetOptions = {}): Promise<NugetPackage> {
  const index = options.serviceIndex ?? NUGET_SERVICE_INDEX;
  const feed = new Feed(index, options.signal);
  const resources = await feed.resources();
  const flat = resourceOf(resources, ['PackageBaseAddress/3.0.0']);
  if (!flat) throw new GhostwriterError('nuget-unreachable', `The NuGet feed at ${index} lists no PackageBaseAddress/3.0.0 resource: is it a NuGet v3 service index?`);
  const lowerId = id.toLowerCase();
  const lowerVersion = version.toLowerCase();
  const listing = await feed.json(`${slash(flat)}${lowerId}/index.json`, `package ${id}`);
  const versions = (listing as { versions?: unknown } | undefined)?.versions;
  if (!Array.isArray(versions) || !versions.includes(lowerVersion)) {
    const some = Array.isArray(versions) ? versions.slice(-5).join(', ') : 'none';
    throw new GhostwriterError('nuget-not-found', `The NuGet feed at ${index} has no version ${version} of ${id} (latest there: ${some}). The provider libraries must be of the same version as the bundled onnxruntime-node.`);
  }
  const url = `${slash(flat)}${lowerId}/${lowerVersion}/${lowerId}.${lowerVersion}.nupkg`;
  const hash = await feed.catalogHash(resourceOf(resources, ['RegistrationsBaseUrl/3.6.0', 'RegistrationsBaseUrl/3.4.0', 'RegistrationsBaseUrl']), lowerId, lowerVersion).catch(
    (err: unknown) => {
      if (err instanceof GhostwriterError && err.code === 'cancelled') throw err;
      return { note: `no SHA-512 to check against: the registration could not be read (${err instanceof Error ? err.message : String(err)})` };
    },
  );
  return { id, version: lowerVersion, url, ...hash, hashNote: hash.note };
}

export interface DownloadProgress {
  readonly bytes: number;
  readonly total?: number;
}

/** Downloads `url` into `dest`, reporting bytes; answers the body's SHA-512 (base64) and size. */
export async function downloadPackage(url: string, dest: string, options: { signal?: AbortSignal; total?: number; onProgress?: (p: DownloadProgress) => void } = {}): Promise<{ sha512: string; bytes: number }> {
  const feed = new Feed(url, options.signal);
  const res = await feed.get(url, `file ${url.split('/').pop()}`, { 'accept-encoding': 'identity' });
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) && length > 0 ? length : options.total;
  const hash = createHash('sha512');
  let bytes = 0;
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), IDLE_TIMEOUT_MS);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), IDLE_TIMEOUT_MS);
      bytes += chunk.length;
      hash.update(chunk);
      options.onProgress?.({ bytes, ...(total ? { total } : {}) });
      callback(null, chunk);
    },
  });
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  try {
    if (!res.body) throw new Error('the answer has no body');
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), counter, createWriteStream(dest), { signal });
  } catch (cause) {
    if (options.signal?.aborted) throw cancelled(cause);
    if ((cause as { code?: string }).code === 'ENOSPC') throw new GhostwriterError('disk-full', `The disk is full: the CUDA provider package (${total ? formatMb(total) : 'several hundred MB'}) does not fit in ${dest}. Free some space and try again.`, { cause });
    const why = idle.signal.aborted ? `no data for ${IDLE_TIMEOUT_MS / 1000} s` : errorCodeOf(cause) ?? (cause instanceof Error ? cause.message : String(cause));
    throw new GhostwriterError('nuget-unreachable', `The download of ${url} broke off after ${formatMb(bytes)} (${why}). Check the network connection and try again.`, { cause });
  } finally {
    clearTimeout(timer);
  }
  if (Number.isFinite(length) && length > 0 && bytes !== length) {
    throw new GhostwriterError('nuget-unreachable', `The download of ${url} ended after ${bytes} of ${length} bytes. Try again.`);
  }
  return { sha512: hash.digest('base64'), bytes };
}

export function cancelled(cause?: unknown): GhostwriterError {
  return new GhostwriterError('cancelled', 'Enabling the GPU was cancelled; nothing was installed.', cause === undefined ? undefined : { cause });
}

interface Resource {
  readonly '@id'?: unknown;
  readonly '@type'?: unknown;
}

class Feed {
  constructor(
    private readonly index: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async resources(): Promise<Resource[]> {
    const doc = await this.json(this.index, 'the service index');
    const resources = (doc as { resources?: unknown } | undefined)?.resources;
    if (!Array.isArray(resources)) throw new GhostwriterError('nuget-unreachable', `${this.index} is not a NuGet v3 service index (it has no "resources" list).`);
    return resources as Resource[];
  }

  /** The catalog's packageHash of one version, found through the registration index. */
  async catalogHash(registrations: string | undefined, lowerId: string, lowerVersion: string): Promise<{ sha512?: string; size?: number; note: string }> {
    if (!registrations) return { note: 'no SHA-512 to check against: the feed lists no RegistrationsBaseUrl' };
    const reg = await this.json(`${slash(registrations)}${lowerId}/index.json`, `the registration of ${lowerId}`);
    const pages = (reg as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(pages)) return { note: 'no SHA-512 to check against: the registration index has no pages' };
    let fetched = 0;
    for (const page of pages as { '@id'?: unknown; items?: unknown }[]) {
      let leaves = page?.items;
      if (!Array.isArray(leaves) && typeof page?.['@id'] === 'string' && fetched++ < MAX_PAGES) {
        leaves = ((await this.json(page['@id'], 'a registration page')) as { items?: unknown } | undefined)?.items;
      }
      if (!Array.isArray(leaves)) continue;
      for (const leaf of leaves as { catalogEntry?: unknown }[]) {
        const entry = leaf?.catalogEntry as { '@id'?: unknown; version?: unknown; packageHash?: unknown; packageHashAlgorithm?: unknown; packageSize?: unknown } | string | undefined;
        const entryVersion = typeof entry === 'object' && typeof entry?.version === 'string' ? entry.version.toLowerCase() : undefined;
        if (entryVersion !== lowerVersion) continue;
        // The registration's copy of the catalog entry may carry the hash; nuget.org's does not.
        let details = typeof entry === 'object' ? entry : undefined;
        if (typeof details?.packageHash !== 'string' && typeof details?.['@id'] === 'string') {
          details = (await this.json(details['@id'], `the catalog entry of ${lowerId} ${lowerVersion}`)) as typeof details;
        }
        const algorithm = typeof details?.packageHashAlgorithm === 'string' ? details.packageHashAlgorithm : undefined;
        if (typeof details?.packageHash !== 'string') return { note: 'no SHA-512 to check against: the catalog entry has no packageHash' };
        if (algorithm && algorithm.toUpperCase() !== 'SHA512') return { note: `no SHA-512 to check against: the catalog hashes with ${algorithm}` };
        const size = Number(details.packageSize);
        return { sha512: details.packageHash, ...(Number.isSafeInteger(size) && size > 0 ? { size } : {}), note: `SHA-512 from the NuGet catalog (${typeof entry === 'object' && typeof entry['@id'] === 'string' ? entry['@id'] : 'registration'})` };
      }
    }
    return { note: `no SHA-512 to check against: the registration lists no ${lowerVersion}` };
  }

  async json(url: string, what: string): Promise<unknown> {
    const res = await this.get(url, what, { accept: 'application/json' });
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new GhostwriterError('nuget-unreachable', `${url} did not answer JSON (HTTP ${res.status}, "${text.slice(0, 80)}"): is ${this.index} a NuGet v3 feed?`);
    }
  }

  async get(url: string, what: string, headers: Record<string, string>): Promise<Response> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), HEADERS_TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(url, { headers, redirect: 'follow', signal: this.signal ? AbortSignal.any([this.signal, timeout.signal]) : timeout.signal });
    } catch (cause) {
      if (this.signal?.aborted) throw cancelled(cause);
      const why = timeout.signal.aborted ? `no answer in ${HEADERS_TIMEOUT_MS / 1000} s` : errorCodeOf(cause) ?? (cause instanceof Error ? cause.message : String(cause));
      throw new GhostwriterError(
        'nuget-unreachable',
        `Cannot reach the NuGet feed at ${new URL(url).origin} (${why}) for ${what}. Check the network connection; offline, download ` +
          'the package elsewhere and give its path in GHOSTWRITER_CUDA_NUPKG, or point GHOSTWRITER_NUGET_SOURCE at a feed you can reach.',
        { cause },
      );
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) return res;
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404) throw new GhostwriterError('nuget-not-found', `The NuGet feed has no ${what} (HTTP 404 for ${url}).`);
    throw new GhostwriterError('nuget-unreachable', `The NuGet feed answered HTTP ${res.status} for ${what} (${url}). Try again later.`);
  }
}

function resourceOf(resources: Resource[], types: readonly string[]): string | undefined {
  for (const type of types) {
    const r = resources.find((x) => x['@type'] === type && typeof x['@id'] === 'string');
    if (r) return r['@id'] as string;
  }
  return undefined;
}

function slash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** ECONNREFUSED, ENOTFOUND… from fetch's `cause` chain. */
function errorCodeOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
  }
  return undefined;
}

export function formatMb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
}
