import { strict as assert } from 'node:assert';
import { classifyCudaFailure } from '../../src/core/gpu/providerReason';

// Error texts as ONNX Runtime 1.2x/1.30 and the CUDA runtime word them (cuda_call.cc's
// "CUDA failure N: <cudaGetErrorString> ; GPU=… ; file=… ; expr=…", the provider bridge's
// "Failed to load library … with error: …", BFCArena's allocation failure), plus what
// src/inference/cuda.ts adds itself (missing provider libraries, ldd's "not found").
const BIN = '/ext/node_modules/onnxruntime-node/bin/napi-v6/linux/x64';

describe('CUDA failure classifier', () => {
  it('no provider libraries: the npm package has none; the reason points at Enable GPU on Linux x64 only', () => {
    const texts = [
      `CUDA provider libraries not installed: libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so missing from ${BIN}`,
      `Failed to load library ${BIN}/libonnxruntime_providers_shared.so with error: ${BIN}/libonnxruntime_providers_shared.so: cannot open shared object file: No such file or directory`,
    ];
    for (const t of texts) {
      const f = classifyCudaFailure(t, 'linux-x64');
      assert.equal(f.kind, 'no-provider-libraries', t);
      assert.match(f.reason, /^CUDA is not available: .*provider libraries are not installed.*Ghostwriter: Enable GPU \(CUDA\)/);
    }
    const mac = classifyCudaFailure('CUDA provider libraries not installed: onnxruntime-node has none for darwin-arm64', 'darwin-arm64');
    assert.equal(mac.kind, 'no-provider-libraries');
    assert.match(mac.reason, /Linux x64 only \(this is darwin-arm64\)/);
    assert.doesNotMatch(mac.reason, /Enable GPU/);
  });

  it('CUDA runtime or cuDNN missing: names the library, and cuDNN apart from CUDA', () => {
    const cases: [string, RegExp][] = [
      ['libcudart.so.12: cannot open shared object file', /the CUDA 12 runtime was not found \(libcudart\.so\.12 is missing\)/],
      [
        `Failed to load library ${BIN}/libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file: No such file or directory`,
        /the CUDA 12 runtime was not found \(libcublasLt\.so\.12 is missing\)/,
      ],
      [
        'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library: libcudnn.so.9: cannot open shared object file (needed by libonnxruntime_providers_cuda.so)',
        /cuDNN 9 was not found \(libcudnn\.so\.9 is missing\)\. Install cuDNN 9 for CUDA 12/,
      ],
      ['Error loading "cudnn64_9.dll" which is missing. (Error 126)', /cuDNN 9 was not found \(cudnn64_9\.dll is missing\)/],
    ];
    for (const [text, reason] of cases) {
      const f = classifyCudaFailure(text, 'linux-x64');
      assert.equal(f.kind, 'cuda-runtime-missing', text);
      assert.match(f.reason, reason);
    }
  });

  it('no GPU, or no (or too old a) driver', () => {
    const noDevice = classifyCudaFailure(
      'CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=box ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=282 ; expr=cudaSetDevice(info_.device_id);',
    );
    assert.equal(noDevice.kind, 'no-gpu');
    assert.match(noDevice.reason, /no NVIDIA GPU was found \(cudaErrorNoDevice\)/);
    assert.equal(classifyCudaFailure('cudaErrorNoDevice').kind, 'no-gpu');
    const driver = classifyCudaFailure('CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version ; GPU=0 ; expr=cudaSetDevice(info_.device_id);');
    assert.equal(driver.kind, 'no-gpu');
    assert.match(driver.reason, /NVIDIA driver is missing or too old for CUDA 12 .*525 or newer/);
    assert.equal(classifyCudaFailure('libcuda.so.1: cannot open shared object file: No such file or directory').kind, 'no-gpu');
    assert.equal(classifyCudaFailure('CUDA failure 803: system has unsupported display driver / cuda driver combination').kind, 'no-gpu');
  });

  it('out of memory, however it is worded', () => {
    for (const t of [
      'CUDA failure 2: out of memory ; GPU=0 ; expr=cudaMalloc((void**)&p, size);',
      '/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 205852672',
      'CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0',
      'cudaErrorMemoryAllocation',
    ]) {
      const f = classifyCudaFailure(t);
      assert.equal(f.kind, 'out-of-memory', t);
      assert.match(f.reason, /ran out of GPU memory .*runs on the CPU instead/);
    }
  });

  it('anything else keeps its text, without terminal colours', () => {
    const f = classifyCudaFailure('\u001b[1;31msomething unexpected happened\u001b[m');
    assert.equal(f.kind, 'unknown');
    assert.equal(f.reason, 'CUDA is not available (something unexpected happened)');
    assert.equal(f.detail, 'something unexpected happened');
  });
});
