import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GhostwriterError } from '../../src/core/errors';
import { installCudaProviders, missingProviderLibraries, sourceFromEnv, type InstallOptions, type InstallProgress } from '../../src/core/gpu/install';
import { readZipDirectory, zipEntryNameProblem } from '../../src/core/gpu/zip';
import { buildZip, fakeSo, gpuPackageEntries, LIBS, NATIVE, startNugetStandIn, type NugetStandIn, type StandInPackage, type ZipInput } from './nugetStandIn';

const ID = 'Microsoft.ML.OnnxRuntime.Gpu.Linux';
const VERSION = '1.30.0';

/** A temp folder laid out as onnxruntime-node's bin/napi-v6/linux/x64 (libonnxruntime.so.1 and the binding), inside a parent we can check for strays. */
function bindingFolder(): { root: string; dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'ghostwriter-binding-'));
  const dir = join(root, 'bin', 'napi-v6', 'linux', 'x64');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'libonnxruntime.so.1'), fakeSo('libonnxruntime.so.1', 1000));
  writeFileSync(join(dir, 'onnxruntime_binding.node'), fakeSo('binding', 1000));
  return { root, dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const listing = (dir: string) => readdirSync(dir).sort();
const BASE_FILES = ['libonnxruntime.so.1', 'onnxruntime_binding.node'];

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<GhostwriterError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GhostwriterError, `a GhostwriterError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a ${code} error`);
}

describe('CUDA provider install from NuGet (against a local feed stand-in)', function () {
  this.timeout(60_000);
  let feed: NugetStandIn | undefined;
  let binding: ReturnType<typeof bindingFolder>;
  const serve = async (pkgs: StandInPackage[], opts?: { registration?: boolean }) => (feed = await startNugetStandIn(pkgs, opts));
  const pkg = (entries: ZipInput[] = gpuPackageEntries(VERSION), extra: Partial<StandInPackage> = {}, zip64 = false): StandInPackage => ({ id: ID, version: VERSION, bytes: buildZip(entries, { zip64 }), ...extra });
  const install = (o: Partial<InstallOptions> = {}) => installCudaProviders({ version: VERSION, bindingDir: binding.dir, serviceIndex: feed?.index, ...o });

  beforeEach(() => {
    binding = bindingFolder();
  });
  afterEach(async () => {
    await feed?.close();
    feed = undefined;
    binding.cleanup();
  });

  it('the first install downloads, checks the catalog SHA-512 and places the provider libraries beside libonnxruntime.so.1', async () => {
    const served = pkg();
    await serve([served]);
    assert.deepEqual(missingProviderLibraries(binding.dir), ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']);
    const progress: InstallProgress[] = [];
    const report = await install({ onProgress: (p) => progress.push(p) });
    assert.deepEqual(listing(binding.dir), [...BASE_FILES, ...LIBS].sort(), 'the three libraries, no temporary file left');
    for (const lib of LIBS) assert.ok(readFileSync(join(binding.dir, lib)).equals(fakeSo(lib)), `${lib} has the package's bytes`);
    assert.equal(statSync(join(binding.dir, 'libonnxruntime_providers_cuda.so')).mode & 0o111, 0o111, 'executable like a shared library');
    assert.deepEqual(missingProviderLibraries(binding.dir), []);
    assert.deepEqual(report.placed.map((p) => p.name), LIBS);
    assert.deepEqual(report.absent, []);
    assert.equal(report.sha512, createHash('sha512').update(served.bytes).digest('base64'));
    assert.match(report.checksum, /matches the NuGet catalog's SHA-512/);
    assert.match(report.source, /\/v3-flatcontainer\/microsoft\.ml\.onnxruntime\.gpu\.linux\/1\.30\.0\/microsoft\.ml\.onnxruntime\.gpu\.linux\.1\.30\.0\.nupkg$/);
    assert.deepEqual(feed!.requests, [
      '/v3/index.json',
      '/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/index.json',
      '/v3/registration5-gz-semver2/microsoft.ml.onnxruntime.gpu.linux/index.json',
      '/v3/catalog0/data/microsoft.ml.onnxruntime.gpu.linux.1.30.0.json',
      '/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg',
    ]);
    const downloads = progress.filter((p) => p.step === 'downloading');
    assert.ok(downloads.length > 0 && downloads.at(-1)!.bytes === served.bytes.length && downloads.at(-1)!.total === served.bytes.length);
    const extracting = progress.filter((p) => p.step === 'extracting');
    assert.equal(extracting.at(-1)!.bytes, extracting.at(-1)!.total);
    assert.deepEqual([...new Set(progress.map((p) => p.step))], ['locating', 'downloading', 'verifying', 'extracting']);
  });

  it('reads ZIP64 archives and stored entries, and replaces libraries already there by rename (a process holding the old file keeps it)', async () => {
    await serve([pkg(gpuPackageEntries(VERSION).map((e) => ({ ...e, store: e.name.endsWith('shared.so') })), {}, true)]);
    const old = join(binding.dir, 'libonnxruntime_providers_cuda.so');
    writeFileSync(old, Buffer.from('\x7fELF old library'));
    const fd = openSync(old, 'r');
    try {
      await install();
      assert.ok(readFileSync(old).equals(fakeSo('libonnxruntime_providers_cuda.so')));
      const buf = Buffer.alloc(16);
      readSync(fd, buf, 0, 16, 0);
      assert.equal(buf.toString('latin1'), '\x7fELF old library', 'the open file still reads the old bytes: it was replaced, not overwritten');
    } finally {
      closeSync(fd);
    }
  });

  it('a package whose bytes do not match the catalog SHA-512 is refused naming both checksums; nothing is placed', async () => {
    await serve([pkg(undefined, { catalogHash: createHash('sha512').update('something else').digest('base64') })]);
    await rejects(install(), 'download-corrupt', /does not match the NuGet catalog's packageHash: SHA-512 [0-9a-f]{128}, expected [0-9a-f]{128}\. It was deleted and nothing was installed/);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('a truncated package is refused as not a zip; nothing is placed', async () => {
    const whole = pkg();
    // The catalog hashes what is served, so only the zip check can tell (a feed that publishes the truncated file).
    const bytes = whole.bytes.subarray(0, Math.floor(whole.bytes.length * 0.6));
    await serve([{ ...whole, bytes }]);
    await rejects(install(), 'package-invalid', /is not a usable Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux package: it is not a zip archive, or it is truncated .*Nothing was installed\./);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('a download cut short of its Content-Length is refused; nothing is placed', async () => {
    const whole = pkg();
    await serve([{ ...whole, truncateTo: whole.bytes.length - 1000, catalogHash: null }]);
    // The stand-in sends the shorter body with a matching length: it looks complete, and only the zip check tells.
    await rejects(install(), 'package-invalid', /truncated|damaged/);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('a library that fails its CRC-32 (or does not inflate) is refused; no library (not even the good ones before it) is placed', async () => {
    const cases: [string, boolean, RegExp][] = [
      // Deflated: the damage shows as a bad deflate stream, a wrong length or a wrong CRC, whichever comes first
      // (zlib's and yauzl's complaints read "is damaged (...)", the reader's own checks name what they counted).
      ['libonnxruntime_providers_tensorrt.so', false, /libonnxruntime_providers_tensorrt\.so (fails its CRC-32 check|is damaged \(|has \d+ bytes|holds more than)/],
      // Stored: only the CRC can tell.
      ['libonnxruntime_providers_cuda.so', true, /libonnxruntime_providers_cuda\.so fails its CRC-32 check \([0-9a-f]{8}, expected [0-9a-f]{8}\): the package is damaged/],
    ];
    for (const [lib, store, message] of cases) {
      const bytes = buildZip(gpuPackageEntries(VERSION).map((e) => ({ ...e, store: store && e.name.endsWith(lib) })));
      const probe = join(binding.root, 'probe.zip');
      writeFileSync(probe, bytes);
      const target = (await readZipDirectory(probe)).find((e) => e.name === NATIVE + lib)!;
      rmSync(probe);
      // Flip bytes inside the library's data (the catalog hashes the damaged file, as a broken upload would be).
      const at = target.localHeaderOffset + 30 + Buffer.byteLength(target.name) + Math.floor(target.compressedSize / 2);
      const damaged = Buffer.from(bytes);
      for (let i = 0; i < 8; i++) damaged[at + i] ^= 0x5a;
      await feed?.close();
      await serve([{ id: ID, version: VERSION, bytes: damaged }]);
      await rejects(install(), 'package-invalid', message);
      assert.deepEqual(listing(binding.dir), BASE_FILES, 'nothing placed, no temporary file left');
    }
  });

  it('a package without the CUDA provider library is refused', async () => {
    await serve([pkg(gpuPackageEntries(VERSION, { libs: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'] }))]);
    await rejects(install(), 'package-invalid', /it has no runtimes\/linux-x64\/native\/libonnxruntime_providers_cuda\.so\. Nothing was installed/);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('without TensorRT the CUDA libraries are still placed, and the report says what was absent', async () => {
    await serve([pkg(gpuPackageEntries(VERSION, { libs: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'] }))]);
    const report = await install();
    assert.deepEqual(report.absent, ['libonnxruntime_providers_tensorrt.so']);
    assert.deepEqual(listing(binding.dir), [...BASE_FILES, 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'].sort());
  });

  it('a package of another version or another id is refused (the libraries must match the bundled onnxruntime-node)', async () => {
    await serve([pkg(gpuPackageEntries('1.29.0'))]);
    await rejects(install(), 'package-invalid', /it is version 1\.29\.0, and the bundled onnxruntime-node is 1\.30\.0/);
    await feed!.close();
    await serve([pkg(gpuPackageEntries(VERSION, { id: 'Evil.Package' }))]);
    await rejects(install(), 'package-invalid', /its manifest names the package "Evil\.Package"/);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('an entry name that climbs out of the package (path traversal), or a symbolic link, is refused and nothing is written anywhere', async () => {
    const hostile: ZipInput[] = [
      ...['../../../evil.so', `${NATIVE}../../../../../evil.so`, '/tmp/evil.so', 'runtimes\\..\\evil.so', 'C:/evil.so'].map((name) => ({ name, data: fakeSo('evil') })),
      // A symbolic link inside the package's own folder, pointing out of it.
      { name: `${NATIVE}evil.so`, data: Buffer.from('/etc/passwd'), unixMode: 0o120777, store: true },
    ];
    for (const entry of hostile) {
      const name = entry.name;
      binding.cleanup();
      binding = bindingFolder();
      await feed?.close();
      await serve([pkg([...gpuPackageEntries(VERSION), entry])]);
      await rejects(install(), 'package-invalid', /it holds an entry named .*which a package never does\. Nothing was installed/);
      assert.deepEqual(listing(binding.dir), BASE_FILES, name);
      assert.deepEqual(listing(binding.root), ['bin'], `nothing beside the binding folder's tree: ${name}`);
    }
    assert.equal(zipEntryNameProblem(`${NATIVE}libonnxruntime_providers_cuda.so`), undefined);
    assert.match(zipEntryNameProblem('a/../b') ?? '', /\.\./);
  });

  it('a version the feed does not have, and a package it does not have, are named as not found', async () => {
    await serve([{ ...pkg(), version: '1.29.0' }]);
    await rejects(install(), 'nuget-not-found', /has no version 1\.30\.0 of Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux \(latest there: 1\.29\.0\)/);
    await feed!.close();
    await serve([]);
    await rejects(install(), 'nuget-not-found', /The NuGet feed has no package Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux \(HTTP 404/);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('an unreachable feed says so and what to do offline', async () => {
    // A port nothing listens on: taken, then freed.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await rejects(install({ serviceIndex: `http://127.0.0.1:${port}/v3/index.json` }), 'nuget-unreachable', /Cannot reach the NuGet feed at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\).*GHOSTWRITER_CUDA_NUPKG/);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('a feed without a registration still installs, and says the checksum was not checked', async () => {
    await serve([pkg()], { registration: false });
    const report = await install();
    assert.match(report.checksum, /no SHA-512 to check against: the feed lists no RegistrationsBaseUrl/);
    assert.equal(report.placed.length, 3);
  });

  it('cancelling during the download installs nothing', async () => {
    await serve([pkg()]);
    const abort = new AbortController();
    await rejects(
      install({ signal: abort.signal, onProgress: (p) => p.step === 'downloading' && abort.abort() }),
      'cancelled',
      /cancelled; nothing was installed/,
    );
    assert.deepEqual(listing(binding.dir), BASE_FILES);
  });

  it('a .nupkg already on disk installs with no network, checked against a given SHA-512 (hex or base64)', async () => {
    const bytes = buildZip(gpuPackageEntries(VERSION));
    const file = join(binding.root, 'pkg.nupkg');
    writeFileSync(file, bytes);
    const hex = createHash('sha512').update(bytes).digest('hex');
    await rejects(install({ serviceIndex: 'http://127.0.0.1:9/never', nupkgPath: file, sha512: 'ab'.repeat(64) }), 'download-corrupt', /does not match the SHA-512 given with it.*It was not used/);
    assert.deepEqual(listing(binding.dir), BASE_FILES);
    const report = await install({ serviceIndex: 'http://127.0.0.1:9/never', nupkgPath: file, sha512: hex });
    assert.match(report.checksum, /matches the SHA-512 given with the file/);
    assert.equal(report.source, file);
    assert.deepEqual(missingProviderLibraries(binding.dir), []);
    assert.deepEqual(sourceFromEnv({ GHOSTWRITER_CUDA_NUPKG: ` ${file} `, GHOSTWRITER_NUGET_SOURCE: '' }), { nupkgPath: file });
  });

  it('refuses a folder that is not the binding folder', async () => {
    await rejects(install({ bindingDir: binding.root }), 'internal', /does not hold libonnxruntime\.so\.1/);
  });
});
