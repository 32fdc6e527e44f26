// Whether the CUDA provider can be tried at all: onnxruntime-node loads it from a shared library
// beside its binding, which the npm package does not ship (its install script fetches it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function cudaProviderInstalled(): boolean {
  if (process.platform !== 'linux' && process.platform !== 'win32') return false;
  try {
    const root = dirname(dirname(require.resolve('onnxruntime-node')));
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(root, 'bin', 'napi-v6', process.platform, process.arch, lib));
  } catch {
    return false;
  }
}
