// The environment the inference process is started with: only what it and ONNX Runtime read, never
// a secret. The editor's environment holds whatever the user's shell had (HF_TOKEN, cloud keys, Git
// credentials); the inference process reads model files and runs ONNX Runtime, needs none of it, and
// runs native code a hostile model file could try to exploit: what it cannot see it cannot leak.

/** Variables passed through by name. */
const NAMES = new Set([
  // Finding programs (ldd for the CUDA check) and libraries (CUDA, cuDNN) the provider loads.
  'PATH',
  'LD_LIBRARY_PATH',
  'DYLD_LIBRARY_PATH',
  // Home, temp and cache folders (the prepared-graph cache is under XDG_CACHE_HOME or ~/.cache).
  'HOME',
  'USERPROFILE',
  'XDG_CACHE_HOME',
  'TMPDIR',
  'TMP',
  'TEMP',
  // Windows: Node and the C runtime need these to start at all.
  'SystemRoot',
  'SYSTEMROOT',
  'windir',
  'LOCALAPPDATA',
  // Locale, for messages of the C runtime.
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
]);

/** Variables passed through by prefix: CUDA's and cuDNN's own settings, NVIDIA's container runtime, OpenMP and ONNX Runtime tuning. */
const PREFIXES = ['CUDA_', 'CUDNN_', 'NVIDIA_', 'OMP_', 'ORT_'];

/** What no passed variable may look like, prefix or not: a credential. */
const SECRET = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE|AUTH/i;

/** The inference process's environment, taken from `env`: the variables above and ELECTRON_RUN_AS_NODE (the editor's binary runs as Node). */
export function inferenceEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && passesToInference(name)) out[name] = value;
  out['ELECTRON_RUN_AS_NODE'] = '1';
  return out;
}

/** Whether the variable `name` may reach the inference process. */
export function passesToInference(name: string): boolean {
  return name === 'ELECTRON_RUN_AS_NODE' || (!SECRET.test(name) && (NAMES.has(name) || PREFIXES.some((p) => name.startsWith(p))));
}
