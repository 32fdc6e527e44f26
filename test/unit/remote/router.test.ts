// The router: the server answers while it is up; when it goes down the same request is answered
// by the local model (when one is chosen) and the next ones too, the route says so; a probe finds
// the server back and it answers again. With no local model, nothing answers while it is down.
import { strict as assert } from 'node:assert';
import { CompletionService } from '../../../src/core/completionService';
import { DEFAULTS, type Settings } from '../../../src/core/config';
import type { EngineClient } from '../../../src/core/engineClient';
import { silentLogger } from '../../../src/core/logger';
import type { CompletionResult } from '../../../src/core/protocol';
import { DIALECTS } from '../../../src/core/remote/dialects';
import { RemoteSource } from '../../../src/core/remote/remoteSource';
import { CompletionRouter, type RouteState } from '../../../src/core/remote/router';
import { createSnapshot } from '../../../src/core/snapshot';
import { StandInServer } from '../../standins/server';

function localClient(text: string) {
  let asked = 0;
  const client = {
    load: async () => ({ name: 'local', dir: '/local', onnxPath: '/local/model.onnx', provider: 'cpu', nLayer: 1, nHead: 1, nEmbd: 8, nPositions: 64, vocabSize: 10, loadMs: 0 }),
    stop() {},
    setIdleUnload() {},
    async complete(): Promise<CompletionResult> {
      asked++;
      return { completions: [{ text, tokenIds: [1], stopReason: 'eos' }], promptTokenIds: [1], timings: { tokenizeMs: 0, prefillMs: 0, decodeMs: 0, totalMs: 0, newTokens: 1 } };
    },
  };
  return { client: client as unknown as EngineClient, asked: () => asked };
}

const snap = (v: number) => createSnapshot({ prefix: 'total = ', suffix: '\n', languageId: 'python', path: 'a.py', version: v });
const settings: Settings = { ...DEFAULTS, modelPath: '/local', debounceMs: 0, temperature: 0 };

function routeBecomes(router: CompletionRouter, route: RouteState['route']): Promise<RouteState> {
  if (router.state.route === route) return Promise.resolve(router.state);
  return new Promise((resolve) => {
    const sub = router.onDidChange((s) => {
      if (s.route !== route) return;
      sub.dispose();
      resolve(s);
    });
  });
}

describe('the router falls back to the local model while the server is down', () => {
  let server: StandInServer;
  afterEach(() => server?.stop());

  async function setup(hasLocal: boolean) {
    server = new StandInServer({ dialect: 'llama.cpp', tokens: () => ['sum(values)'] });
    const url = await server.start();
    const port = Number(new URL(url).port);
    const local = localClient('local_answer');
    const router = new CompletionRouter(local.client, () => hasLocal, silentLogger);
    router.setServer(new RemoteSource({ dialect: DIALECTS['llama.cpp'], endpoint: url, model: '', fimTemplate: 'auto' }, silentLogger, { baseDelayMs: 20, maxDelayMs: 200 }));
    const service = new CompletionService(local.client, silentLogger);
    service.setModelSource(async () => ({ dir: '/local', name: 'local' }));
    service.setCompletionSource(router);
    assert.equal((await service.ensureLoaded(hasLocal ? settings : { ...settings, modelPath: '' })).kind, 'ready');
    return { router, service, local, port };
  }

  it('server → local (the same request, then the next) → server again after the probe', async () => {
    const { router, service, local, port } = await setup(true);
    await routeBecomes(router, 'server');
    assert.deepEqual((await service.complete(snap(1), settings, new AbortController().signal, 'explicit')).texts, ['sum(values)']);
    assert.equal(local.asked(), 0);
    await server.stop();
    const fallback = routeBecomes(router, 'local-fallback');
    assert.deepEqual((await service.complete(snap(2), settings, new AbortController().signal, 'explicit')).texts, ['local_answer'], 'the failed request is answered locally');
    const state = await fallback;
    assert.equal(state.health?.kind, 'down');
    assert.match(state.health?.message ?? '', /could not be reached/);
    assert.deepEqual((await service.complete(snap(3), settings, new AbortController().signal, 'explicit')).texts, ['local_answer']);
    assert.equal(local.asked(), 2);
    const asked = server.completions().length;
    const back = routeBecomes(router, 'server');
    await server.start(port);
    await back;
    assert.deepEqual((await service.complete(snap(4), settings, new AbortController().signal, 'explicit')).texts, ['sum(values)']);
    assert.equal(server.completions().length, asked + 1, 'no failed completion was sent again');
    router.dispose();
    service.dispose();
  });

  it('with no local model: no suggestion while the server is down, and the route says so', async () => {
    const { router, service, local } = await setup(false);
    await routeBecomes(router, 'server');
    assert.equal(service.state.modelName, 'llama.cpp');
    await server.stop();
    const none = routeBecomes(router, 'none');
    assert.deepEqual((await service.complete(snap(2), settings, new AbortController().signal, 'explicit')).texts, []);
    await none;
    assert.deepEqual((await service.complete(snap(3), settings, new AbortController().signal, 'explicit')).texts, []);
    assert.equal(local.asked(), 0);
    router.dispose();
    service.dispose();
  });
});
