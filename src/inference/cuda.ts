// Whether the CUDA provider can be tried at all: onnxruntime-node loads it from shared libraries
// beside its binding, which the npm package does not ship (its install script fetches them, and so
// does "Ghostwriter: Enable GPU (CUDA)", src/core/gpu/install.ts). When ONNX Runtime cannot load them
// its error says only "Failed to load shared library" (the details go to its stderr log), so the
// reason is found out here: which provider library is missing, or what `ldd` cannot find.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { missingProviderLibraries } from '../core/gpu/install';

export interface OrtBinding {
  /** node_modules/onnxruntime-node */
  readonly root: string;
  /** Its package.json version: the CUDA provider package must be the same. */
  readonly version: string;
  /** bin/napi-v6/<platform>/<arch>: libonnxruntime and the binding, where the provider libraries go. */
  readonly dir: string;
}

/** The bundled onnxruntime-node: its version and its binding's folder. */
export function ortBinding(): OrtBinding {
  // The package's main is dist/index.js; its root is two folders up.
  const root = dirname(dirname(require.resolve('onnxruntime-node')));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return { root, version, dir: join(root, 'bin', 'napi-v6', process.platform, process.arch) };
}

export function cudaProviderInstalled(): boolean {
  if (process.platform !== 'linux' && process.platform !== 'win32') return false;
  try {
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(ortBinding().dir, lib));
  } catch {
    return false;
  }
}

/**
 * Why ONNX Runtime need not even be asked for CUDA here, in words the classifier
 * (src/core/gpu/providerReason.ts) reads; undefined when the provider libraries are in place.
 */
export function cudaLibraryProblem(): string | undefined {
  if (process.platform !== 'linux') {
    // Windows builds may carry CUDA in other ways; only Linux is checked file by file.
    if (process.platform === 'win32') return cudaProviderInstalled() ? undefined : 'CUDA provider libraries not installed: onnxruntime_providers_cuda.dll is missing';
    return `CUDA provider libraries not installed: onnxruntime-node has none for ${process.platform}-${process.arch}`;
  }
  let dir: string;
  try {
    dir = ortBinding().dir;
  } catch (err) {
    return `CUDA provider libraries not installed: onnxruntime-node was not found (${err instanceof Error ? err.message : String(err)})`;
  }
  const missing = missingProviderLibraries(dir);
  return missing.length ? `CUDA provider libraries not installed: ${missing.join(', ')} missing from ${dir}` : undefined;
}

/**
 * ONNX Runtime's error for a CUDA session that did not start, with what this machine says about it
 * when ONNX Runtime's own text does not: the libraries `ldd` finds missing for the CUDA provider.
 */
export async function withCudaDiagnosis(message: string, bindingDir?: string): Promise<string> {
  if (process.platform !== 'linux' || !/Failed to load shared library|Failed to load library/i.test(message)) return message;
  let lib: string;
  try {
    lib = join(bindingDir ?? ortBinding().dir, 'libonnxruntime_providers_cuda.so');
  } catch {
    return message;
  }
  const ldd = await lddNotFound(lib);
  if (typeof ldd === 'string') return `${message} (ldd: ${ldd})`;
  if (ldd.length === 0) return `${message} (ldd finds every library libonnxruntime_providers_cuda.so needs)`;
  return `${message}: ${ldd.map((m) => `${m}: cannot open shared object file (needed by libonnxruntime_providers_cuda.so)`).join('; ')}`;
}

/** The libraries `ldd` reports "not found" for `lib`, or what went wrong running it. */
function lddNotFound(lib: string): Promise<string[] | string> {
  return new Promise((resolve) => {
    execFile('ldd', [lib], { timeout: 10_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const missing = [...String(stdout).matchAll(/^\s*(\S+)\s*=>\s*not found/gm)].map((m) => m[1]);
      // ldd exits 1 on some systems when a library is missing; what it printed still counts.
      if (!err || missing.length > 0) return resolve(missing);
      const said = `${String(stderr)}\n${String(stdout)}`.trim().split('\n')[0];
      resolve((err as { code?: unknown }).code === 'ENOENT' ? 'not installed, so the missing library is not known' : said || err.message);
    });
  });
}
