import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { createLogger, type LogLevel } from '../../src/core/logger';
import { resolveModelFolder } from '../../src/inference/model';
import { ModelSession, type SessionFactory } from '../../src/inference/session';
import { tinyModel } from './helpers';

function recordingLogger() {
  const lines: [LogLevel, string][] = [];
  return { lines, log: createLogger((level, message) => lines.push([level, message])) };
}

const cudaAvailable = ort.listSupportedBackends().some((b) => b.name === 'cuda' && b.bundled);

describe('execution provider', () => {
  it(`'auto' without a working CUDA provider falls back to CPU and says why in the log`, async () => {
    const { lines, log } = recordingLogger();
    const session = await ModelSession.create(await resolveModelFolder(await tinyModel(), 'auto'), 'auto', log);
    try {
      // With .npmrc's onnxruntime-node-install=skip there is no CUDA provider: CPU it must be.
      // (An install with the CUDA provider gets CUDA, or a CPU fallback when the GPU is missing.)
      if (cudaAvailable && session.provider === 'cuda') return assert.equal(session.fallbackReason, undefined);
      assert.equal(session.provider, 'cpu');
      assert.match(session.fallbackReason ?? '', /CUDA is not available/);
      assert.ok(lines.some(([level, m]) => level === 'warn' && /falling back to the CPU/.test(m)), JSON.stringify(lines));
    } finally {
      await session.release();
    }
  });

  it(`'cuda' that fails falls back to CPU too; 'cpu' never tries CUDA`, async () => {
    const tried: string[] = [];
    const factory: SessionFactory = (path, options) => {
      const ep = String(options.executionProviders?.[0]);
      tried.push(ep);
      if (ep === 'cuda') return Promise.reject(new Error('libcudart.so.12: cannot open shared object file'));
      return ort.InferenceSession.create(path, options);
    };
    const folder = await resolveModelFolder(await tinyModel(), 'auto');
    const { log } = recordingLogger();
    const a = await ModelSession.create(folder, 'cuda', log, factory);
    assert.equal(a.provider, 'cpu');
    assert.match(a.fallbackReason ?? '', /libcudart\.so\.12/);
    await a.release();
    const b = await ModelSession.create(folder, 'cpu', log, factory);
    assert.equal(b.provider, 'cpu');
    assert.equal(b.fallbackReason, undefined);
    await b.release();
    assert.deepEqual(tried, ['cuda', 'cpu', 'cpu']);
  });

  it('a CUDA session that is created is used as CUDA', async () => {
    // Stand in for a CUDA machine: the factory accepts 'cuda' and builds the session on the CPU.
    const factory: SessionFactory = (path, options) => ort.InferenceSession.create(path, { ...options, executionProviders: ['cpu'] });
    const session = await ModelSession.create(await resolveModelFolder(await tinyModel(), 'auto'), 'auto', recordingLogger().log, factory);
    assert.equal(session.provider, 'cuda');
    assert.equal(session.fallbackReason, undefined);
    await session.release();
  });
});
