// A local stand-in for a NuGet v3 feed (127.0.0.1, port 0) serving .nupkg files built here, the way
// nuget.org answers the routes the CUDA provider install uses:
//   GET /v3/index.json                                    service index: PackageBaseAddress/3.0.0, RegistrationsBaseUrl/3.6.0
//   GET /v3-flatcontainer/{id}/index.json                 { versions }
//   GET /v3-flatcontainer/{id}/{version}/{id}.{version}.nupkg
//   GET /v3/registration5-gz-semver2/{id}/index.json      pages with leaves inlined, gzip-encoded as nuget.org's 3.6.0 hive is
//   GET /v3/catalog0/data/{id}.{version}.json             the catalog leaf: packageHash (base64 SHA-512), packageHashAlgorithm, packageSize
// and a zip writer for stand-in packages (stored or deflated entries, ZIP64 records on demand).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

export interface ZipInput {
  readonly name: string;
  readonly data: Buffer;
  /** Default deflate. */
  readonly store?: boolean;
  /** A Unix st_mode to record (made on Unix, the mode in the external attributes' top half), e.g. 0o120777 for a symbolic link. */
  readonly unixMode?: number;
  /** The uncompressed size the headers claim, when it is to lie (hostile archives). */
  readonly declaredSize?: number;
}

/** A zip archive of `entries`; `zip64` writes every size and offset through ZIP64 records, as large archives have them. */
export function buildZip(entries: readonly ZipInput[], { zip64 = false } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : deflateRawSync(e.data);
    const crc = crc32(e.data) >>> 0;
    const method = e.store ? 0 : 8;
    const size = e.declaredSize ?? e.data.length;
    const extra = zip64 ? u64Extra([size, body.length]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : body.length, 18);
    local.writeUInt32LE(zip64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    parts.push(local, name, extra, body);
    const cextra = zip64 ? u64Extra([size, body.length, offset]) : Buffer.alloc(0);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((e.unixMode === undefined ? 0 : 3 << 8) | (zip64 ? 45 : 20), 4);
    c.writeUInt16LE(zip64 ? 45 : 20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
    c.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(cextra.length, 30);
    if (e.unixMode !== undefined) c.writeUInt32LE((e.unixMode << 16) >>> 0, 38);
    c.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    central.push(c, name, cextra);
    offset += local.length + name.length + extra.length + body.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, cd, ...tail, end]);
}

function u64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

/** A fake shared library: ELF's magic, then `size` seeded bytes (compressible enough, distinct per name). */
export function fakeSo(name: string, size = 200_000): Buffer {
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  let x = createHash('sha256').update(name).digest().readUInt32LE(0);
  for (let i = 8; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 7 === 0 ? x >>> 24 : 0x41 + (i % 13);
  }
  return b;
}

export const NATIVE = 'runtimes/linux-x64/native/';
export const LIBS = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_tensorrt.so'];

/** The entries of a stand-in Microsoft.ML.OnnxRuntime.Gpu.Linux package, as the real one lays them out (plus fake libraries). */
export function gpuPackageEntries(version: string, { id = 'Microsoft.ML.OnnxRuntime.Gpu.Linux', libs = LIBS } = {}): ZipInput[] {
  const nuspec = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd">
  <metadata>
    <id>${id}</id>
    <version>${version}</version>
    <authors>Microsoft</authors>
    <description>Stand-in package for tests.</description>
  </metadata>
</package>
`;
  return [
    { name: '_rels/.rels', data: Buffer.from('<Relationships/>') },
    { name: `${id}.nuspec`, data: Buffer.from(nuspec) },
    { name: `${NATIVE}libonnxruntime.so`, data: fakeSo('libonnxruntime.so', 50_000) },
    ...libs.map((l) => ({ name: NATIVE + l, data: fakeSo(l) })),
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>'), store: true },
  ];
}

export interface StandInPackage {
  readonly id: string;
  readonly version: string;
  readonly bytes: Buffer;
  /** What the catalog says its SHA-512 is (base64); default the real one; null: the catalog has no hash. */
  readonly catalogHash?: string | null;
  /** Serve only the first this-many bytes, then end the response normally (a truncated file that looks complete). */
  readonly truncateTo?: number;
}

export interface NugetStandIn {
  /** The service index URL. */
  readonly index: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startNugetStandIn(packages: readonly StandInPackage[], { registration = true } = {}): Promise<NugetStandIn> {
  const requests: string[] = [];
  let base = '';
  const find = (id: string, version?: string) => packages.filter((p) => p.id.toLowerCase() === id && (version === undefined || p.version.toLowerCase() === version));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push(url.pathname);
    const json = (status: number, body: unknown, gzip = false) => {
      const text = Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      res.end(gzip ? gzipSync(text) : text);
    };
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code></Error>');
    };
    let m: RegExpExecArray | null;
    if (url.pathname === '/v3/index.json') {
      return json(200, {
        version: '3.0.0',
        resources: [
          { '@id': `${base}/v3-flatcontainer/`, '@type': 'PackageBaseAddress/3.0.0' },
          ...(registration ? [{ '@id': `${base}/v3/registration5-gz-semver2/`, '@type': 'RegistrationsBaseUrl/3.6.0' }] : []),
          { '@id': `${base}/query`, '@type': 'SearchQueryService' },
        ],
      });
    }
    if ((m = /^\/v3-flatcontainer\/([^/]+)\/index\.json$/.exec(url.pathname))) {
      const found = find(m[1]);
      return found.length ? json(200, { versions: found.map((p) => p.version.toLowerCase()) }) : notFound();
    }
    if ((m = /^\/v3-flatcontainer\/([^/]+)\/([^/]+)\/([^/]+)\.nupkg$/.exec(url.pathname))) {
      const [p] = find(m[1], m[2]);
      if (!p || m[3] !== `${m[1]}.${m[2]}`) return notFound();
      const body = p.truncateTo !== undefined ? p.bytes.subarray(0, p.truncateTo) : p.bytes;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
      return res.end(body);
    }
    if ((m = /^\/v3\/registration5-gz-semver2\/([^/]+)\/index\.json$/.exec(url.pathname))) {
      const found = find(m[1]);
      if (!found.length) return notFound();
      const leaves = found.map((p) => ({
        '@id': `${base}/v3/registration5-gz-semver2/${m![1]}/${p.version.toLowerCase()}.json`,
        '@type': 'Package',
        catalogEntry: { '@id': `${base}/v3/catalog0/data/${m![1]}.${p.version.toLowerCase()}.json`, '@type': 'PackageDetails', id: p.id, version: p.version, listed: true },
        packageContent: `${base}/v3-flatcontainer/${m![1]}/${p.version.toLowerCase()}/${m![1]}.${p.version.toLowerCase()}.nupkg`,
      }));
      return json(200, { count: 1, items: [{ '@id': `${base}/v3/registration5-gz-semver2/${m[1]}/index.json#page/x`, count: leaves.length, lower: found[0].version, upper: found[found.length - 1].version, items: leaves }] }, true);
    }
    if ((m = /^\/v3\/catalog0\/data\/([^/]+)\.json$/.exec(url.pathname))) {
      const p = packages.find((x) => `${x.id.toLowerCase()}.${x.version.toLowerCase()}` === m![1]);
      if (!p) return notFound();
      const real = createHash('sha512').update(p.bytes).digest('base64');
      const hash = p.catalogHash === undefined ? real : p.catalogHash;
      return json(200, { '@type': ['PackageDetails', 'catalog:Permalink'], id: p.id, version: p.version, ...(hash === null ? {} : { packageHash: hash, packageHashAlgorithm: 'SHA512' }), packageSize: p.bytes.length });
    }
    notFound();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    index: `${base}/v3/index.json`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
