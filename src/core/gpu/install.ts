// Installs ONNX Runtime's CUDA provider libraries, which the onnxruntime-node npm package leaves out,
// from NuGet's Microsoft.ML.OnnxRuntime.Gpu.Linux of the same version (what its install script does
// with --onnxruntime-node-install=cuda12): download (or a .nupkg already on disk), verify, and place
// runtimes/linux-x64/native/libonnxruntime_providers_{shared,cuda,tensorrt}.so beside libonnxruntime.so.1
// in the folder the binding loads them from. All or nothing: every library is written to a temporary
// file in that folder and checked first, then each is renamed into place, so no process ever sees a
// half-written .so.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { GhostwriterError } from '../errors';
import { cancelled, downloadPackage, locatePackage, NUGET_SERVICE_INDEX, type DownloadProgress } from './nuget';
import { ZipArchive, ZipError, zipEntryNameProblem, type ZipEntry } from './zip';

export const CUDA_PACKAGE_ID = 'Microsoft.ML.OnnxRuntime.Gpu.Linux';
/** Where the package keeps the Linux x64 libraries (onnxruntime-node's script/install-metadata.js says the same). */
export const PACKAGE_NATIVE_DIR = 'runtimes/linux-x64/native/';

/** The provider libraries the binding looks for beside itself. TensorRT's is taken when the package has it (Ghostwriter does not use it). */
export const PROVIDER_LIBRARIES: readonly { readonly name: string; readonly required: boolean }[] = [
  { name: 'libonnxruntime_providers_shared.so', required: true },
  { name: 'libonnxruntime_providers_cuda.so', required: true },
  { name: 'libonnxruntime_providers_tensorrt.so', required: false },
];

/** The required provider libraries that are not in `bindingDir`. */
export function missingProviderLibraries(bindingDir: string): string[] {
  return PROVIDER_LIBRARIES.filter((l) => l.required && !existsSync(join(bindingDir, l.name))).map((l) => l.name);
}

/** Environment variables that point the install elsewhere (the CUDA check and air-gapped machines use them). */
export const ENV = {
  /** A NuGet v3 service index URL instead of nuget.org's. */
  source: 'GHOSTWRITER_NUGET_SOURCE',
  /** A .nupkg already downloaded: no network at all. */
  nupkg: 'GHOSTWRITER_CUDA_NUPKG',
  /** Its SHA-512 (hex or base64), checked when given. */
  nupkgSha512: 'GHOSTWRITER_CUDA_NUPKG_SHA512',
} as const;

export type InstallProgress =
  | { readonly step: 'locating'; readonly source: string }
  | ({ readonly step: 'downloading'; readonly url: string } & DownloadProgress)
  | { readonly step: 'verifying' }
  | { readonly step: 'extracting'; readonly file: string; readonly bytes: number; readonly total: number };

export interface InstallOptions {
  /** The bundled onnxruntime-node's version: the package must be the same. */
  readonly version: string;
  /** The folder holding libonnxruntime.so.1 and the binding (bin/napi-v6/linux/x64). */
  readonly bindingDir: string;
  /** A NuGet v3 service index; default nuget.org's. */
  readonly serviceIndex?: string;
  /** Install from this .nupkg instead of downloading. */
  readonly nupkgPath?: string;
  /** The expected SHA-512 of `nupkgPath` (hex or base64). */
  readonly sha512?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: InstallProgress) => void;
  /** Where the download is kept until it is unpacked; default the OS temp folder. */
  readonly tmpDir?: string;
}

export interface PlacedLibrary {
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

export interface InstallReport {
  readonly packageId: string;
  readonly version: string;
  /** The URL or file the package came from. */
  readonly source: string;
  /** The package's SHA-512 (base64), and what it was checked against. */
  readonly sha512: string;
  readonly checksum: string;
  readonly placed: readonly PlacedLibrary[];
  /** Optional libraries the package did not have. */
  readonly absent: readonly string[];
}

/** The options the environment gives (ENV). */
export function sourceFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<InstallOptions, 'serviceIndex' | 'nupkgPath' | 'sha512'> {
  const get = (k: string) => env[k]?.trim() || undefined;
  const serviceIndex = get(ENV.source);
  const nupkgPath = get(ENV.nupkg);
  const sha512 = get(ENV.nupkgSha512);
  return { ...(serviceIndex ? { serviceIndex } : {}), ...(nupkgPath ? { nupkgPath } : {}), ...(sha512 ? { sha512 } : {}) };
}

export async function installCudaProviders(options: InstallOptions): Promise<InstallReport> {
  const { version, bindingDir, signal } = options;
  if (!existsSync(join(bindingDir, 'libonnxruntime.so.1'))) {
    throw new GhostwriterError('internal', `${bindingDir} does not hold libonnxruntime.so.1: it is not onnxruntime-node's Linux x64 binding folder.`);
  }
  const work = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'ghostwriter-cuda-'));
  try {
    const { path, source, sha512, checksum } = await obtain(options, work);
    if (signal?.aborted) throw cancelled();
    options.onProgress?.({ step: 'verifying' });
    const archive = await openPackage(path, source);
    try {
      const { entries, absent } = await verifyPackage(archive, source, version);
      const placed = await place(archive, source, entries, bindingDir, signal, options.onProgress);
      return { packageId: CUDA_PACKAGE_ID, version, source, sha512, checksum, placed, absent };
    } finally {
      archive.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The package on disk: downloaded into `work`, or the given file; its SHA-512 checked when one is known. */
async function obtain(options: InstallOptions, work: string): Promise<{ path: string; source: string; sha512: string; checksum: string }> {
  if (options.nupkgPath) {
    const path = options.nupkgPath;
    if (!existsSync(path)) throw new GhostwriterError('package-invalid', `The CUDA provider package ${path} does not exist.`, { file: path });
    options.onProgress?.({ step: 'locating', source: path });
    const sha512 = await sha512Of(path, options.signal);
    if (!options.sha512) return { path, source: path, sha512, checksum: 'not checked: no SHA-512 was given with the file' };
    const expected = asBase64(options.sha512);
    if (expected !== sha512) throw corrupt(path, expected, sha512, 'the SHA-512 given with it', 'It was not used');
    return { path, source: path, sha512, checksum: 'matches the SHA-512 given with the file' };
  }
  const serviceIndex = options.serviceIndex ?? NUGET_SERVICE_INDEX;
  options.onProgress?.({ step: 'locating', source: serviceIndex });
  const pkg = await locatePackage(CUDA_PACKAGE_ID, options.version, { serviceIndex, signal: options.signal });
  const path = join(work, `${pkg.id.toLowerCase()}.${pkg.version}.nupkg`);
  const got = await downloadPackage(pkg.url, path, {
    signal: options.signal,
    ...(pkg.size ? { total: pkg.size } : {}),
    onProgress: (p) => options.onProgress?.({ step: 'downloading', url: pkg.url, ...p }),
  });
  if (pkg.sha512 === undefined) return { path, source: pkg.url, sha512: got.sha512, checksum: pkg.hashNote };
  if (asBase64(pkg.sha512) !== got.sha512) throw corrupt(pkg.url, asBase64(pkg.sha512), got.sha512, "the NuGet catalog's packageHash", 'It was deleted');
  return { path, source: pkg.url, sha512: got.sha512, checksum: `matches the NuGet catalog's SHA-512` };
}

function refusal(source: string, why: string): GhostwriterError {
  return new GhostwriterError('package-invalid', `${source} is not a usable ${CUDA_PACKAGE_ID} package: ${why}. Nothing was installed.`, { file: source });
}

async function openPackage(path: string, source: string): Promise<ZipArchive> {
  try {
    return await ZipArchive.open(path);
  } catch (err) {
    throw err instanceof ZipError ? refusal(source, err.message) : err;
  }
}

/**
 * The package's directory, checked: a zip whose every entry name is a safe relative path and none a
 * symbolic link, whose .nuspec names this package at this version, holding the required provider libraries.
 */
async function verifyPackage(archive: ZipArchive, source: string, version: string): Promise<{ entries: ZipEntry[]; absent: string[] }> {
  const refuse = (why: string) => refusal(source, why);
  const all = archive.entries;
  for (const e of all) {
    const problem = zipEntryNameProblem(e.name) ?? (e.symlink ? 'it is a symbolic link' : undefined);
    if (problem) throw refuse(`it holds an entry named ${JSON.stringify(e.name)} (${problem}), which a package never does`);
  }
  const nuspecs = all.filter((e) => !e.name.includes('/') && e.name.toLowerCase().endsWith('.nuspec'));
  if (nuspecs.length !== 1) throw refuse(nuspecs.length === 0 ? 'it has no .nuspec manifest' : 'it has more than one .nuspec manifest');
  let nuspec: string;
  try {
    nuspec = (await archive.read(nuspecs[0])).toString('utf8');
  } catch (err) {
    throw err instanceof ZipError ? refuse(err.message) : err;
  }
  const id = /<id>\s*([^<]+?)\s*<\/id>/i.exec(nuspec)?.[1];
  const packageVersion = /<version>\s*([^<]+?)\s*<\/version>/i.exec(nuspec)?.[1];
  if (id?.toLowerCase() !== CUDA_PACKAGE_ID.toLowerCase()) throw refuse(`its manifest names the package ${JSON.stringify(id ?? '(none)')}`);
  if (packageVersion?.toLowerCase() !== version.toLowerCase()) {
    throw refuse(`it is version ${packageVersion ?? '(none)'}, and the bundled onnxruntime-node is ${version}: the provider libraries must be of the same version`);
  }
  const entries: ZipEntry[] = [];
  const absent: string[] = [];
  for (const lib of PROVIDER_LIBRARIES) {
    const entry = all.find((e) => e.name === PACKAGE_NATIVE_DIR + lib.name);
    if (entry) entries.push(entry);
    else if (lib.required) throw refuse(`it has no ${PACKAGE_NATIVE_DIR}${lib.name}`);
    else absent.push(lib.name);
  }
  return { entries, absent };
}

/** Every library to a temporary file beside its destination, checked, then all renamed into place. */
async function place(archive: ZipArchive, source: string, entries: readonly ZipEntry[], bindingDir: string, signal: AbortSignal | undefined, onProgress: InstallOptions['onProgress']): Promise<PlacedLibrary[]> {
  const total = entries.reduce((n, e) => n + e.size, 0);
  let bytes = 0;
  const staged: { entry: ZipEntry; name: string; tmp: string }[] = [];
  try {
    for (const entry of entries) {
      if (signal?.aborted) throw cancelled();
      const name = entry.name.slice(PACKAGE_NATIVE_DIR.length);
      const tmp = join(bindingDir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
      staged.push({ entry, name, tmp });
      onProgress?.({ step: 'extracting', file: name, bytes, total });
      await archive.extract(entry, tmp, signal, (n) => {
        bytes += n;
        onProgress?.({ step: 'extracting', file: name, bytes, total });
      });
      if (!(await isElf(tmp))) throw new ZipError(`${entry.name} is not an ELF shared library`);
    }
    const placed: PlacedLibrary[] = [];
    for (const s of staged) {
      const dest = join(bindingDir, s.name);
      await rename(s.tmp, dest);
      placed.push({ name: s.name, path: dest, bytes: (await stat(dest)).size });
    }
    return placed;
  } catch (err) {
    await Promise.all(staged.map((s) => unlink(s.tmp).catch(() => undefined)));
    if (signal?.aborted) throw cancelled(err);
    if (err instanceof ZipError) throw refusal(source, err.message);
    const code = (err as { code?: string }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') throw new GhostwriterError('disk-full', `The disk holding ${bindingDir} is full: the CUDA provider libraries need ${Math.ceil(total / 2 ** 20)} MB. Nothing was installed.`, { cause: err });
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new GhostwriterError('internal', `Cannot write into ${bindingDir} (${code}): the CUDA provider libraries go beside onnxruntime-node's binding there. Nothing was installed.`, { cause: err });
    }
    if (typeof code === 'string' && code.startsWith('E')) {
      throw new GhostwriterError('write-failed', `Writing the CUDA provider libraries into ${bindingDir} failed (${code}). Nothing was installed; try again.`, { cause: err });
    }
    throw err;
  }
}

async function isElf(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    await fh.close();
  }
}

async function sha512Of(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), new Writable({ write: (c: Buffer, _e, cb) => (hash.update(c), cb()) }), signal ? { signal } : {});
  return hash.digest('base64');
}

/** Hex (128 digits) or base64 → base64. */
function asBase64(sha512: string): string {
  const s = sha512.trim();
  return /^[0-9a-f]{128}$/i.test(s) ? Buffer.from(s, 'hex').toString('base64') : s;
}

function corrupt(source: string, expected: string, actual: string, against: string, fate: string): GhostwriterError {
  return new GhostwriterError(
    'download-corrupt',
    `${source} does not match ${against}: SHA-512 ${hexOf(actual)}, expected ${hexOf(expected)}. ${fate} and nothing was installed; try again.`,
    { file: source },
  );
}

function hexOf(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}
