// Suggestions through a server equal the local ones: a stand-in OpenAI-compatible server whose
// tokens come from our ONNX engine (the generated tiny GPT-2) answers the service through the
// router, and the local engine answers a second service directly. Greedy, the same places: the
// same texts after the same stops and filters.
import { strict as assert } from 'node:assert';
import { CompletionService } from '../../../src/core/completionService';
import { DEFAULTS, type Settings } from '../../../src/core/config';
import type { EngineClient } from '../../../src/core/engineClient';
import { silentLogger } from '../../../src/core/logger';
import { DIALECTS } from '../../../src/core/remote/dialects';
import { RemoteSource } from '../../../src/core/remote/remoteSource';
import { CompletionRouter } from '../../../src/core/remote/router';
import { createSnapshot } from '../../../src/core/snapshot';
import type { InferenceEngine } from '../../../src/inference/engine';
import { onnxTokens } from '../../standins/onnxTokens';
import { StandInServer } from '../../standins/server';
import { loadEngine, tinyModel } from '../helpers';

/** The engine in this process as the service's client (what the inference process runs, without the IPC). */
function inProcess(engine: InferenceEngine): EngineClient {
  return {
    load: async () => ({ ...engine.info, provider: 'cpu', loadMs: 0 }),
    stop() {},
    setIdleUnload() {},
    serving: undefined,
    complete: (s: Parameters<EngineClient['complete']>[0], o: Parameters<EngineClient['complete']>[1]) => engine.complete(s, o),
  } as unknown as EngineClient;
}

const PLACES = [
  'def mean(values):\n    total = ',
  'import os\n\nfor name in os.listdir("."):\n',
  'class Point:\n    def __init__(self, x, y):\n        self.x = x\n',
  'function add(a, b) {\n  return',
  'x = [1, 2, 3]\nprint(',
];

describe('suggestions through a server equal the local ones (tiny GPT-2 behind an OpenAI-compatible stand-in)', function () {
  let engine: InferenceEngine;
  let server: StandInServer;
  let local: CompletionService;
  let remote: CompletionService;
  let router: CompletionRouter;
  const settings: Settings = { ...DEFAULTS, modelPath: '/tiny', debounceMs: 0, temperature: 0, extraContext: false };

  before(async () => {
    engine = await loadEngine(await tinyModel());
    server = new StandInServer({ dialect: 'openai', tokens: onnxTokens(engine) });
    const url = await server.start();
    local = new CompletionService(inProcess(engine), silentLogger);
    local.setModelSource(async () => ({ dir: '/tiny', name: 'tiny' }));
    assert.equal((await local.ensureLoaded(settings)).kind, 'ready');
    const client = inProcess(engine);
    router = new CompletionRouter(client, () => false, silentLogger);
    router.setServer(new RemoteSource({ dialect: DIALECTS.openai, endpoint: url, model: 'tiny-gpt2', fimTemplate: 'auto' }, silentLogger));
    remote = new CompletionService(client, silentLogger);
    remote.setCompletionSource(router);
    const state = await remote.ensureLoaded({ ...settings, modelPath: '' });
    assert.equal(state.kind, 'ready');
    assert.equal(state.modelName, 'OpenAI-compatible tiny-gpt2');
  });
  after(async () => {
    local?.dispose();
    remote?.dispose();
    router?.dispose();
    await server?.stop();
    await engine?.release();
  });

  for (const prefix of PLACES) {
    it(`${JSON.stringify(prefix.slice(-24))}: the same suggestion, and the server got the text before the cursor`, async () => {
      const snap = createSnapshot({ prefix, suffix: '\n', languageId: prefix.startsWith('function') ? 'javascript' : 'python', path: 'a.py', version: 1 });
      const want = await local.complete(snap, settings, new AbortController().signal, 'explicit');
      const before = server.completions().length;
      const got = await remote.complete(snap, settings, new AbortController().signal, 'explicit');
      assert.equal(server.completions().length, before + 1, 'the server was asked');
      assert.equal(server.completions()[before].body['prompt'], prefix);
      assert.deepEqual(got.texts, want.texts);
      assert.ok(want.texts.length > 0 && want.texts[0].length > 0, `the local model suggests something here: ${JSON.stringify(want.texts)}`);
      assert.equal(got.cancelled, false);
    });
  }

  it('typing on what arrived is served from it (typed ahead) as locally, with no new request to the server', async () => {
    let served = 0;
    for (const [i, prefix] of PLACES.entries()) {
      const snap = createSnapshot({ prefix, suffix: '\n', languageId: 'python', path: `typed${i}.py`, version: 1 });
      const [localFirst, remoteFirst] = [await local.complete(snap, settings, new AbortController().signal, 'explicit'), await remote.complete(snap, settings, new AbortController().signal, 'explicit')];
      assert.deepEqual(remoteFirst.texts, localFirst.texts);
      const text = localFirst.texts[0] ?? '';
      if (text.length < 2) continue;
      const asked = server.completions().length;
      const typed = createSnapshot({ prefix: prefix + text[0], suffix: '\n', languageId: 'python', path: `typed${i}.py`, version: 2 });
      const want = await local.complete(typed, settings, new AbortController().signal, 'automatic');
      if (want.source !== 'typed-ahead') continue;
      const got = await remote.complete(typed, settings, new AbortController().signal, 'automatic');
      assert.equal(got.source, 'typed-ahead');
      assert.deepEqual(got.texts, want.texts);
      assert.equal(server.completions().length, asked, 'the server was not asked');
      served++;
    }
    assert.ok(served > 0, 'at least one place was typed ahead');
  });

  it('the stand-in\'s tokens are the engine\'s, token for token (not a copy of the local answer)', async () => {
    const pieces = await onnxTokens(engine)({ prompt: PLACES[0], maxTokens: 8, temperature: 0, route: '/v1/completions', body: {} });
    const snap = createSnapshot({ prefix: PLACES[0], suffix: '', languageId: 'plaintext', path: 'x', version: 1 });
    const direct = await engine.complete(snap, { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxNewTokens: 8, contextTokens: 512, timeoutMs: 60_000, newline: 'none', numReturnSequences: 1, seed: 1, cache: 'cold' });
    assert.equal(pieces.length, direct.completions[0].tokenIds.length);
    assert.equal(pieces.join(''), direct.completions[0].text);
  });
});
