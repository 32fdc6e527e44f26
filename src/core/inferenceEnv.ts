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

/**
 * Set for the inference process, not passed through. MALLOC_MMAP_THRESHOLD_ pins glibc's at its
 * default, 128 KB: glibc raises it after each large block is freed (up to 32 MB), so what ONNX
 * Runtime frees while it creates the session (its parse of the model: a few MB per weight) is kept
 * inside the heap and stays resident. Pinned, it goes back to the system:
 * GPT-2-small fp32 947 -> 746 MB after the load, peak 979 -> 860; speed within noise
 * (bench/README.md, "Memory"). Other C libraries (macOS, Windows) ignore it.
 */
const SET = { ELECTRON_RUN_AS_NODE: '1', MALLOC_MMAP_THRESHOLD_: String(128 * 1024) } as const;

/**
 * Node's flags for the inference process. A 1 MB young generation (V8's default grows to 16 MB
 * per semi-space and keeps it): the tokenizer's load and the sampling loop make short-lived objects
 * only, and the process's peak is ~28 MB lower (fp32 887 -> 860, int8 556 -> 528), speed within
 * noise. `gc` exposed: after a graph is prepared, the model file's bytes are collected before ONNX
 * Runtime loads the model beside them (session.ts).
 */
export const INFERENCE_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1', '--expose-gc'];

/** The inference process's environment, taken from `env`: the variables above, and SET (the editor's binary runs as Node; glibc's malloc). */
export function inferenceEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && passesToInference(name)) out[name] = value;
  return { ...out, ...SET };
}

/** Whether the variable `name` may reach the inference process. */
export function passesToInference(name: string): boolean {
  return name in SET || (!SECRET.test(name) && (NAMES.has(name) || PREFIXES.some((p) => name.startsWith(p))));
}
