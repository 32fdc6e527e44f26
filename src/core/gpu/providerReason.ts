// Why CUDA did not start, from ONNX Runtime's error text: one kind the editor can act on (offer
// "Enable GPU (CUDA)", say nothing more on a machine without a GPU) and one sentence for the status
// bar tooltip and the log. Pure: the caller adds what it found out itself (which provider libraries
// are missing, what `ldd` says is not found), because ONNX Runtime's own error for a provider library
// that does not load is only "Failed to load shared library"; the details go to its stderr log.

export type CudaFailureKind =
  /** libonnxruntime_providers_{shared,cuda}.so are not beside the binding (the npm package lacks them). */
  | 'no-provider-libraries'
  /** The provider libraries are there, but the CUDA 12 runtime or cuDNN 9 they link against is not. */
  | 'cuda-runtime-missing'
  /** No NVIDIA GPU, or its driver is missing or too old. */
  | 'no-gpu'
  /** The GPU had too little free memory for this model. */
  | 'out-of-memory'
  /** Anything else: the text is shown as it is. */
  | 'unknown';

export interface CudaFailure {
  readonly kind: CudaFailureKind;
  /** One sentence for the tooltip, the log and a warning: "CUDA is not available: …" with what to do. */
  readonly reason: string;
  /** ONNX Runtime's text (first line, shortened), for the log. */
  readonly detail: string;
}

/** The command that installs the provider libraries (package.json contributes it; Linux x64 only). */
export const ENABLE_GPU_TITLE = 'Ghostwriter: Enable GPU (CUDA)';

/** `${process.platform}-${process.arch}`, e.g. linux-x64. */
export function platformKey(): string {
  return `${process.platform}-${process.arch}`;
}

/** Ghostwriter can download the CUDA provider libraries here (NuGet's Gpu.Linux package is x64 only). */
export function canInstallCudaProviders(platform = platformKey()): boolean {
  return platform === 'linux-x64';
}

// Order matters: the loader's message for the CUDA provider names the provider library *and* the
// CUDA library it could not find, and the latter is the cause; out of memory is checked first
// because an allocation failure text may name anything.
const OUT_OF_MEMORY = /out of memory|cudaErrorMemoryAllocation|CUDA failure 2\b|Failed to allocate memory|(?:CUBLAS|CUDNN)_STATUS_ALLOC_FAILED|BFCArena[^\n]*allocat/i;
/** The CUDA 12 runtime libraries and cuDNN 9 the CUDA provider links against (Linux .so and Windows .dll names). */
const RUNTIME_LIB = /\b(lib(?:cudart|cublasLt|cublas|cufft|curand|cusparse|cusolver|nvrtc|nvJitLink|cudnn\w*)\.so(?:\.\d+)*|(?:cudart|cublasLt|cublas|cufft|curand|cudnn\w*?)64_\d+\.dll)(?=[\s:'"),;]|$)[^\n]*?(?:cannot open shared object|not found|No such file|could not be loaded|missing|error 126)/i;
const PROVIDER_LIB = /(?:lib)?onnxruntime_providers_(?:shared|cuda)\.(?:so|dll)[^\n]*?(?:cannot open shared object|not found|No such file|missing|not installed|error 126)|CUDA provider libraries (?:are )?not installed/i;
const NO_DEVICE = /cudaErrorNoDevice|no CUDA-capable device|CUDA failure 100\b/i;
const DRIVER = /cudaErrorInsufficientDriver|CUDA failure 35\b|driver version is insufficient|cudaErrorSystemDriverMismatch|CUDA failure 803\b|unsupported display driver|libcuda\.so(?:\.1)?\b[^\n]*?(?:cannot open|not found|No such file)|NVIDIA driver/i;

export function classifyCudaFailure(text: string, platform = platformKey()): CudaFailure {
  const detail = shorten(text);
  const oom = OUT_OF_MEMORY.exec(text);
  if (oom) {
    return {
      kind: 'out-of-memory',
      reason: `CUDA ran out of GPU memory for this model (${oom[0].trim()}); it runs on the CPU instead. A smaller variant (fp16 or int8) or fewer programs on the GPU may let it fit`,
      detail,
    };
  }
  const runtime = RUNTIME_LIB.exec(text);
  if (runtime) {
    const lib = runtime[1];
    const cudnn = /cudnn/i.test(lib);
    const what = cudnn ? 'cuDNN 9' : 'the CUDA 12 runtime';
    return {
      kind: 'cuda-runtime-missing',
      reason: `CUDA is not available: ${what} was not found (${lib} is missing). Install ${cudnn ? 'cuDNN 9 for CUDA 12' : 'CUDA 12.x'} so that the library path (ldconfig or LD_LIBRARY_PATH) finds it`,
      detail,
    };
  }
  if (PROVIDER_LIB.test(text)) {
    const hint = canInstallCudaProviders(platform)
      ? `run "${ENABLE_GPU_TITLE}" to install them`
      : `Ghostwriter installs them on Linux x64 only (this is ${platform})`;
    return { kind: 'no-provider-libraries', reason: `CUDA is not available: ONNX Runtime's CUDA provider libraries are not installed (${hint})`, detail };
  }
  const noDevice = NO_DEVICE.exec(text);
  if (noDevice) return { kind: 'no-gpu', reason: `CUDA is not available: no NVIDIA GPU was found (${evidence(noDevice[0])})`, detail };
  const driver = DRIVER.exec(text);
  if (driver) {
    return {
      kind: 'no-gpu',
      reason: `CUDA is not available: the NVIDIA driver is missing or too old for CUDA 12 (${evidence(driver[0])}); CUDA 12 needs driver 525 or newer`,
      detail,
    };
  }
  return { kind: 'unknown', reason: `CUDA is not available (${shorten(text, 200)})`, detail };
}

/** The CPU was asked for: no CUDA attempt, nothing to explain beyond the setting. */
export const CPU_CHOSEN = 'ghostwriter.executionProvider is cpu';

function evidence(match: string): string {
  const m = match.trim();
  if (/^CUDA failure 100$/i.test(m)) return 'cudaErrorNoDevice';
  if (/^CUDA failure 35$/i.test(m)) return 'cudaErrorInsufficientDriver';
  if (/^CUDA failure 803$/i.test(m)) return 'cudaErrorSystemDriverMismatch';
  return m.length > 80 ? `${m.slice(0, 79)}…` : m;
}

/** ONNX Runtime's text without terminal colour codes, its first lines, at most `max` characters. */
function shorten(text: string, max = 600): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '').trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}
