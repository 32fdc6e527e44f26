import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyCudaFailure } from '../../src/core/gpu/providerReason';
import * as ort from 'onnxruntime-node';
import { DEFAULTS, type Settings } from '../../src/core/config';
import { CompletionService } from '../../src/core/completionService';
import { EngineClient, forkInference } from '../../src/core/engineClient';
import { createLogger, type LogLevel } from '../../src/core/logger';
import { cudaLibraryProblem, withCudaDiagnosis } from '../../src/inference/cuda';
import { InferenceEngine } from '../../src/inference/engine';
import { resolveModelFolder } from '../../src/inference/model';
import { ModelSession, type SessionFactory } from '../../src/inference/session';
import { preparedCacheDir, repoRoot, tinyModel } from './helpers';

function recordingLogger() {
  const lines: [LogLevel, string][] = [];
  return { lines, log: createLogger((level, message) => lines.push([level, message])) };
}

const cudaAvailable = ort.listSupportedBackends().some((b) => b.name === 'cuda' && b.bundled);
/** This machine has no CUDA provider libraries (.npmrc skips onnxruntime-node's download): the real fallback can be seen. */
const noProviderLibraries = cudaLibraryProblem() !== undefined;

const epOf = (options: ort.InferenceSession.SessionOptions) => String(options.executionProviders?.[0]);

/** Stands in for a machine whose CUDA fails with `text` when the session is created. */
function failingCuda(text: string, tried: string[] = []): SessionFactory {
  return (path, options) => {
    tried.push(epOf(options));
    if (epOf(options) === 'cuda') return Promise.reject(new Error(text));
    return ort.InferenceSession.create(path, options);
  };
}

/**
 * Stands in for a GPU that loads the model (the session is really a CPU one) and then runs out of
 * memory on the `failFrom`-th run and after (1 = the load's one-token check).
 */
function cudaOutOfMemoryAt(failFrom: number, tried: string[] = []): SessionFactory {
  return async (path, options) => {
    const ep = epOf(options);
    tried.push(ep);
    const session = await ort.InferenceSession.create(path, { ...options, executionProviders: ['cpu'] });
    if (ep !== 'cuda') return session;
    let runs = 0;
    return new Proxy(session, {
      get(target, key) {
        if (key === 'run') {
          return (...args: Parameters<ort.InferenceSession['run']>) =>
            ++runs >= failFrom
              ? Promise.reject(new Error('/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 Failed to allocate memory for requested buffer of size 205852672'))
              : target.run(...args);
        }
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
}

const loadWith = async (executionProvider: Settings['executionProvider'], factory?: SessionFactory) => {
  const { lines, log } = recordingLogger();
  const engine = await InferenceEngine.load({ modelDir: await tinyModel(), modelFile: 'fp32', executionProvider, cacheDir: preparedCacheDir() }, log, factory);
  return { engine, lines };
};

describe('execution provider', () => {
  it(`'auto' without the CUDA provider libraries runs on the CPU quietly: an info line with the reason, no warning`, async function () {
    if (!noProviderLibraries) this.skip();
    const { lines, log } = recordingLogger();
    const session = await ModelSession.create(await resolveModelFolder(await tinyModel(), 'auto'), 'auto', log);
    try {
      if (cudaAvailable && session.provider === 'cuda') return assert.equal(session.fallbackReason, undefined);
      assert.equal(session.provider, 'cpu');
      assert.equal(session.fallbackKind, 'no-provider-libraries');
      assert.match(session.fallbackReason ?? '', /^CUDA is not available: ONNX Runtime's CUDA provider libraries are not installed \(run "Ghostwriter: Enable GPU \(CUDA\)" to install them\)$/);
      assert.ok(lines.some(([level, m]) => level === 'info' && m.includes(session.fallbackReason!)), JSON.stringify(lines));
      assert.ok(!lines.some(([level]) => level === 'warn' || level === 'error'), JSON.stringify(lines));
    } finally {
      await session.release();
    }
  });

  it(`'cuda' on this machine (no GPU, no CUDA libraries) ends on the CPU with the reason, warned once`, async function () {
    if (!noProviderLibraries) this.skip();
    const { engine, lines } = await loadWith('cuda');
    try {
      assert.equal(engine.info.provider, 'cpu');
      assert.equal(engine.info.fallbackKind, 'no-provider-libraries');
      assert.match(engine.info.fallbackReason ?? '', /provider libraries are not installed .*Enable GPU/);
      const warnings = lines.filter(([level]) => level === 'warn');
      assert.equal(warnings.length, 1, JSON.stringify(lines));
      assert.match(warnings[0][1], /CUDA is not available: .*; running on the CPU\.$/);
      assert.ok(lines.some(([level, m]) => level === 'info' && /on cpu \(executionProvider cuda: CUDA is not available: /.test(m)), 'the load line says where and why');
    } finally {
      await engine.release();
    }
  });

  it('each CUDA failure text ends on the CPU with its kind and reason (through InferenceEngine.load)', async () => {
    const cases: [string, string, RegExp][] = [
      ['libcudart.so.12: cannot open shared object file: No such file or directory', 'cuda-runtime-missing', /the CUDA 12 runtime was not found \(libcudart\.so\.12 is missing\)/],
      [
        'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library: libcudnn.so.9: cannot open shared object file (needed by libonnxruntime_providers_cuda.so)',
        'cuda-runtime-missing',
        /cuDNN 9 was not found/,
      ],
      ['CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; expr=cudaSetDevice(info_.device_id);', 'no-gpu', /no NVIDIA GPU was found/],
      ['CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version', 'no-gpu', /NVIDIA driver is missing or too old/],
      ['CUDA failure 2: out of memory ; GPU=0', 'out-of-memory', /ran out of GPU memory/],
      ['CUDA provider libraries not installed: libonnxruntime_providers_cuda.so missing from /x', 'no-provider-libraries', /Enable GPU/],
    ];
    for (const [text, kind, reason] of cases) {
      for (const wanted of ['auto', 'cuda'] as const) {
        const tried: string[] = [];
        const { engine, lines } = await loadWith(wanted, failingCuda(text, tried));
        try {
          assert.equal(engine.info.provider, 'cpu', text);
          assert.equal(engine.info.fallbackKind, kind, text);
          assert.match(engine.info.fallbackReason ?? '', reason);
          assert.equal(tried.filter((ep) => ep === 'cuda').length, 1, `CUDA is tried once per load: ${tried.join(', ')}`);
          // A machine that simply has no GPU (or no libraries) is normal under 'auto'; everything else warns.
          const quiet = wanted === 'auto' && (kind === 'no-gpu' || kind === 'no-provider-libraries');
          assert.equal(lines.some(([level]) => level === 'warn'), !quiet, `${wanted} / ${kind}: ${JSON.stringify(lines)}`);
          assert.ok(lines.some(([, m]) => m.includes(engine.info.fallbackReason!)), 'the log says why');
        } finally {
          await engine.release();
        }
      }
    }
  });

  it('out of memory on the GPU after the session is created falls back to the CPU for that model instead of failing', async () => {
    for (const failFrom of [1, 2]) {
      // 1: the load's one-token check; 2: the speed measurement after it.
      const tried: string[] = [];
      const { engine } = await loadWith('cuda', cudaOutOfMemoryAt(failFrom, tried));
      try {
        assert.equal(engine.info.provider, 'cpu', `failing from run ${failFrom}`);
        assert.equal(engine.info.fallbackKind, 'out-of-memory');
        assert.match(engine.info.fallbackReason ?? '', /ran out of GPU memory .*Failed to allocate memory/);
        assert.equal(tried[0], 'cuda');
        assert.ok(tried.slice(1).every((ep) => ep === 'cpu'), `after the failure only the CPU: ${tried.join(', ')}`);
        assert.ok(engine.info.msPerToken && engine.info.msPerToken > 0);
      } finally {
        await engine.release();
      }
    }
  });

  it(`'cpu' never tries CUDA and has no fallback reason`, async () => {
    const tried: string[] = [];
    const { engine, lines } = await loadWith('cpu', failingCuda('never', tried));
    try {
      assert.deepEqual([...new Set(tried)], ['cpu']);
      assert.equal(engine.info.fallbackReason, undefined);
      assert.equal(engine.info.fallbackKind, undefined);
      assert.ok(lines.some(([, m]) => /on cpu \(executionProvider cpu\)/.test(m)));
    } finally {
      await engine.release();
    }
  });

  it('sessions are created with threads that sleep between ops (no spinning: the editor shares the cores), on the CPU and on CUDA', async () => {
    const seen: { provider: unknown; spinning: unknown }[] = [];
    const factory: SessionFactory = (path, options) => {
      const session = (options.extra as { session?: Record<string, unknown> } | undefined)?.session;
      seen.push({ provider: options.executionProviders?.[0], spinning: session?.['intra_op.allow_spinning'] });
      return ort.InferenceSession.create(path, { ...options, executionProviders: ['cpu'] });
    };
    for (const provider of ['cpu', 'auto'] as const) {
      const { engine } = await loadWith(provider, factory);
      await engine.release();
    }
    assert.ok(seen.length >= 2, JSON.stringify(seen));
    assert.deepEqual([...new Set(seen.map((s) => s.spinning))], ['0'], JSON.stringify(seen));
    assert.deepEqual([...new Set(seen.map((s) => s.provider))].sort(), ['cpu', 'cuda'], JSON.stringify(seen));
  });

  it('a CUDA session that is created is used as CUDA', async () => {
    // Stand in for a CUDA machine: the factory accepts 'cuda' and builds the session on the CPU.
    const factory: SessionFactory = (path, options) => ort.InferenceSession.create(path, { ...options, executionProviders: ['cpu'] });
    const { engine, lines } = await loadWith('auto', factory);
    try {
      assert.equal(engine.info.provider, 'cuda');
      assert.equal(engine.info.fallbackReason, undefined);
      assert.ok(lines.some(([, m]) => /on cuda \(executionProvider auto: CUDA initialized\)/.test(m)));
    } finally {
      await engine.release();
    }
  });

  it(`ONNX Runtime's bare "Failed to load shared library" gets the library ldd cannot find (a provider library built here that needs libcudnn.so.9)`, async function () {
    let hasGcc = false;
    try {
      execFileSync('gcc', ['--version'], { stdio: 'ignore' });
      hasGcc = process.platform === 'linux';
    } catch {
      // no compiler: nothing to build the stand-in library with
    }
    if (!hasGcc) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'ghostwriter-ldd-'));
    try {
      writeFileSync(join(dir, 'stub.c'), 'int cudnnGetVersion(void) { return 9; }\n');
      writeFileSync(join(dir, 'provider.c'), 'int cudnnGetVersion(void);\nint provider(void) { return cudnnGetVersion(); }\n');
      execFileSync('gcc', ['-shared', '-fPIC', '-o', 'libcudnn.so.9', '-Wl,-soname,libcudnn.so.9', 'stub.c'], { cwd: dir });
      execFileSync('gcc', ['-shared', '-fPIC', '-o', 'libonnxruntime_providers_cuda.so', 'provider.c', '-L.', '-l:libcudnn.so.9'], { cwd: dir });
      rmSync(join(dir, 'libcudnn.so.9'));
      const text = await withCudaDiagnosis('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library', dir);
      assert.match(text, /libcudnn\.so\.9: cannot open shared object file \(needed by libonnxruntime_providers_cuda\.so\)/);
      const f = classifyCudaFailure(text, 'linux-x64');
      assert.equal(f.kind, 'cuda-runtime-missing');
      assert.match(f.reason, /cuDNN 9 was not found \(libcudnn\.so\.9 is missing\)/);
      assert.equal(await withCudaDiagnosis('CUDA failure 100: no CUDA-capable device is detected', dir), 'CUDA failure 100: no CUDA-capable device is detected', 'other texts pass as they are');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`'cuda' through the inference process and the completion service: CPU, the reason in the state, no ONNX Runtime error lines`, async function () {
    if (!noProviderLibraries) this.skip();
    this.timeout(120_000);
    const { lines, log } = recordingLogger();
    const client = new EngineClient(forkInference(join(repoRoot(), 'dist', 'inference.js')), log);
    const service = new CompletionService(client, log, preparedCacheDir());
    try {
      const settings: Settings = { ...DEFAULTS, modelPath: await tinyModel(), modelFile: 'fp32', executionProvider: 'cuda' };
      const state = await service.ensureLoaded(settings);
      assert.equal(state.kind, 'ready', state.message);
      assert.equal(state.provider, 'cpu');
      assert.equal(state.cudaRequested, true);
      assert.equal(state.fallbackKind, 'no-provider-libraries');
      assert.match(state.fallbackReason ?? '', /^CUDA is not available: .*provider libraries are not installed/);
      assert.ok(lines.some(([level, m]) => level === 'warn' && m.includes(state.fallbackReason!)), JSON.stringify(lines));
      // The provider libraries were never asked for, so ONNX Runtime printed nothing of its own.
      assert.ok(!lines.some(([, m]) => /inference stderr/.test(m)), JSON.stringify(lines.filter(([, m]) => /stderr/.test(m))));
      const auto = await service.ensureLoaded({ ...settings, executionProvider: 'auto' });
      assert.equal(auto.provider, 'cpu');
      assert.equal(auto.cudaRequested, false);
      assert.equal(auto.fallbackKind, 'no-provider-libraries');
    } finally {
      service.dispose();
      client.dispose();
    }
  });
});
