// The model setting → a folder and a name: hub ids through the Hugging Face cache with progress,
// cancel and a token; the name shown is the repo id, never the snapshot's commit; the
// CompletionService loads what the source resolves and shows that name.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CompletionService } from '../../src/core/completionService';
import { DEFAULTS, parseSettings, type Settings } from '../../src/core/config';
import type { EngineClient } from '../../src/core/engineClient';
import type { EngineState } from '../../src/core/engineState';
import { GhostwriterError } from '../../src/core/errors';
import type { DownloadProgress } from '../../src/core/hub/index';
import { createLogger } from '../../src/core/logger';
import {
  createModelSourceResolver,
  hubEndpointFor,
  modelDisplayName,
  runsOnCpu,
  type DownloadOutcome,
  type DownloadStart,
  type ModelSourceResolver,
} from '../../src/core/modelSource';
import type { LoadOptions, ModelInfo } from '../../src/core/protocol';
import { tinyModel } from './helpers';
import { commitFor, HubStandIn } from './hubStandIn';

const REPO = 'Xenova/gpt2';
const COMMIT = commitFor(REPO);

const settingsWith = (over: Partial<Settings>): Settings => ({ ...DEFAULTS, ...over });

async function rejection(promise: Promise<unknown>): Promise<GhostwriterError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GhostwriterError, `a GhostwriterError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('model source: names and settings', () => {
  it('shows a hub id as written (the revision unless main), a cache snapshot as its repo id, a folder by its name', () => {
    assert.equal(modelDisplayName('Xenova/gpt2'), 'Xenova/gpt2');
    assert.equal(modelDisplayName('Xenova/gpt2@main'), 'Xenova/gpt2');
    assert.equal(modelDisplayName('Xenova/gpt2@v1.0'), 'Xenova/gpt2@v1.0');
    assert.equal(modelDisplayName('/models/gpt2'), 'gpt2');
    assert.equal(modelDisplayName('/models/gpt2/'), 'gpt2');
    assert.equal(modelDisplayName(`/home/u/.cache/huggingface/hub/models--Xenova--distilgpt2/snapshots/${COMMIT}`), 'Xenova/distilgpt2');
    assert.equal(modelDisplayName('not a model'), 'not a model', 'unparseable text is shown as it is');
  });

  it('the endpoint: the setting, else HF_ENDPOINT, else huggingface.co', () => {
    assert.equal(hubEndpointFor({ hubEndpoint: 'http://mirror:8080' }, { HF_ENDPOINT: 'http://env' }), 'http://mirror:8080');
    assert.equal(hubEndpointFor({ hubEndpoint: ' ' }, { HF_ENDPOINT: 'http://env' }), 'http://env');
    assert.equal(hubEndpointFor({ hubEndpoint: '' }, {}), 'https://huggingface.co');
  });

  it('ghostwriter.hubEndpoint must be empty or an http(s) URL', () => {
    assert.deepEqual(parseSettings({ hubEndpoint: 'http://127.0.0.1:1234' }).problems, []);
    assert.deepEqual(parseSettings({ hubEndpoint: '' }).problems, []);
    for (const bad of ['ftp://mirror', 'huggingface.co', 'https://user:pw@hf.co', 42]) {
      const { settings, problems } = parseSettings({ hubEndpoint: bad });
      assert.equal(settings.hubEndpoint, '', String(bad));
      assert.equal(problems.length, 1, String(bad));
      assert.match(problems[0], /^ghostwriter\.hubEndpoint: /);
    }
  });

  it('auto runs on the CPU unless the CUDA provider is installed', () => {
    assert.equal(runsOnCpu({ executionProvider: 'auto' }, false), true);
    assert.equal(runsOnCpu({ executionProvider: 'auto' }, true), false);
    assert.equal(runsOnCpu({ executionProvider: 'cuda' }, false), false);
    assert.equal(runsOnCpu({ executionProvider: 'cpu' }, true), true);
  });
});

describe('model source: hub ids through the Hugging Face cache', function () {
  this.timeout(60_000);
  let standIn: HubStandIn;
  let cacheRoot: string;
  let logLines: string[];
  let starts: DownloadStart[];
  let progress: DownloadProgress[];
  let outcomes: DownloadOutcome[];
  const TOKEN = 'hf_secretTokenValue123';

  function resolver(options: { token?: string; cancelAt?: number } = {}): ModelSourceResolver {
    return createModelSourceResolver({
      env: {},
      cacheRoot: () => cacheRoot,
      token: () => options.token,
      log: createLogger((level, m) => logLines.push(`${level} ${m}`)),
      onDownload: (start, cancel) => {
        starts.push(start);
        return {
          progress: (p) => {
            progress.push(p);
            if (options.cancelAt !== undefined && p.bytes >= options.cancelAt) cancel();
          },
          end: (o) => outcomes.push(o),
        };
      },
    });
  }
  const hubSettings = (over: Partial<Settings> = {}) => settingsWith({ modelPath: REPO, hubEndpoint: standIn.url, ...over });

  before(async () => {
    const dir = await tinyModel();
    standIn = await new HubStandIn({ [REPO]: { dir }, 'owner/gated': { dir, gated: true } }).start();
  });
  after(async () => standIn?.close());
  beforeEach(() => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'ghostwriter-source-'));
    standIn.requests.length = 0;
    logLines = [];
    starts = [];
    progress = [];
    outcomes = [];
  });
  afterEach(() => rmSync(cacheRoot, { recursive: true, force: true }));

  it('a folder is used as it is, with no request', async () => {
    const dir = await tinyModel();
    const model = await resolver()(settingsWith({ modelPath: dir }), new AbortController().signal);
    assert.deepEqual(model, { dir, name: basename(dir) });
    assert.equal(standIn.requests.length, 0);
  });

  it('a hub id downloads once with progress, named by its repo id; the second time the cache answers with no request', async () => {
    const first = await resolver()(hubSettings(), new AbortController().signal);
    assert.equal(first.name, REPO);
    assert.equal(first.dir, join(cacheRoot, 'models--Xenova--gpt2', 'snapshots', COMMIT));
    assert.equal(first.hub?.commit, COMMIT);
    assert.equal(first.hub?.fromCache, false);
    assert.equal(starts.length, 1);
    assert.equal(starts[0].repoId, REPO);
    assert.ok(starts[0].total > 0);
    assert.ok(progress.length > 0);
    assert.equal(progress[progress.length - 1].bytes, starts[0].total);
    assert.deepEqual(outcomes, ['done']);

    const requests = standIn.requests.length;
    assert.ok(requests > 0);
    const second = await resolver()(hubSettings(), new AbortController().signal);
    assert.equal(second.dir, first.dir);
    assert.equal(second.hub?.fromCache, true);
    assert.equal(standIn.requests.length, requests, 'no request for a cached model');
    assert.equal(starts.length, 1, 'no download reported');
  });

  it('cancel from the progress reporter stops the download; the next attempt resumes it', async () => {
    const err = await rejection(resolver({ cancelAt: 1 })(hubSettings(), new AbortController().signal));
    assert.equal(err.code, 'cancelled');
    assert.deepEqual(outcomes, ['cancelled']);
    const model = await resolver()(hubSettings(), new AbortController().signal);
    assert.equal(model.hub?.fromCache, false);
    assert.deepEqual(outcomes, ['cancelled', 'done']);
  });

  it('the caller\'s signal cancels too', async () => {
    const abort = new AbortController();
    abort.abort();
    const err = await rejection(resolver()(hubSettings(), abort.signal));
    assert.equal(err.code, 'cancelled');
  });

  it('a gated repo needs the token; it is sent, and never logged', async () => {
    const denied = await rejection(resolver()(hubSettings({ modelPath: 'owner/gated' }), new AbortController().signal));
    assert.equal(denied.code, 'hub-unauthorized');
    assert.match(denied.message, /Set Hugging Face Token/);
    const model = await resolver({ token: TOKEN })(hubSettings({ modelPath: 'owner/gated' }), new AbortController().signal);
    assert.equal(model.name, 'owner/gated');
    assert.ok(standIn.requests.some((r) => r.authorization));
    assert.ok(logLines.length > 0);
    assert.ok(!logLines.some((l) => l.includes(TOKEN)), 'the token is not in the log');
  });

  it('an unknown repo and an unreachable endpoint are typed errors', async () => {
    assert.equal((await rejection(resolver()(hubSettings({ modelPath: 'Xenova/no-such-model' }), new AbortController().signal))).code, 'hub-not-found');
    const offline = await rejection(resolver()(hubSettings({ hubEndpoint: 'http://127.0.0.1:9' }), new AbortController().signal));
    assert.equal(offline.code, 'hub-unreachable');
    assert.match(offline.message, /hub endpoint setting/);
  });
});

describe('CompletionService loads what the model source resolves', () => {
  function fakeClient(loads: LoadOptions[]): EngineClient {
    const client = {
      load: async (o: LoadOptions): Promise<ModelInfo> => {
        loads.push(o);
        return { name: basename(o.modelDir), dir: o.modelDir, onnxPath: join(o.modelDir, 'onnx/model.onnx'), provider: 'cpu', nLayer: 1, nHead: 1, nEmbd: 4, nPositions: 8, vocabSize: 10, loadMs: 1 };
      },
      stop: () => undefined,
      setIdleUnload: () => undefined,
    };
    return client as unknown as EngineClient;
  }
  const silent = createLogger(() => undefined);

  it('a hub model is loaded from its snapshot and named by its repo id, while loading and when ready', async () => {
    const loads: LoadOptions[] = [];
    const service = new CompletionService(fakeClient(loads), silent);
    const snapshot = `/cache/models--Xenova--gpt2/snapshots/${COMMIT}`;
    service.setModelSource(async () => ({ dir: snapshot, name: REPO }));
    const states: EngineState[] = [];
    service.onDidChangeState((s) => states.push(s));
    const state = await service.ensureLoaded(settingsWith({ modelPath: REPO }));
    assert.equal(state.kind, 'ready');
    assert.equal(state.modelName, REPO, 'not the commit hash');
    assert.equal(loads[0].modelDir, snapshot);
    assert.deepEqual(states.map((s) => [s.kind, s.modelName]), [['loading', REPO], ['ready', REPO]]);
    service.dispose();
  });

  it('a newer load cancels the download of the older one; a cancelled download is not an error', async () => {
    const loads: LoadOptions[] = [];
    const service = new CompletionService(fakeClient(loads), silent);
    const signals: AbortSignal[] = [];
    service.setModelSource((settings, signal) => {
      signals.push(signal);
      if (settings.modelPath !== REPO) return Promise.resolve({ dir: settings.modelPath, name: basename(settings.modelPath) });
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new GhostwriterError('cancelled', 'The download was cancelled.')), { once: true }));
    });
    const first = service.ensureLoaded(settingsWith({ modelPath: REPO }));
    const second = await service.ensureLoaded(settingsWith({ modelPath: '/models/tiny' }));
    assert.equal(signals[0].aborted, true);
    assert.equal(second.kind, 'ready');
    assert.equal((await first).modelName, 'tiny', 'the superseded load answers with the newest state');
    assert.deepEqual(loads.map((l) => l.modelDir), ['/models/tiny']);

    // Cancelled by the user: 'disabled', saying how to resume, with no error.
    service.setModelSource((_s, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new GhostwriterError('cancelled', 'x')), { once: true })));
    const pending = service.ensureLoaded(settingsWith({ modelPath: REPO }));
    // Superseding with the same key is a join, so cancel through a different load's abort: dispose().
    service.dispose();
    const cancelled = await pending;
    assert.equal(cancelled.kind, 'disabled');
    assert.equal(cancelled.errorCode, 'cancelled');
    assert.match(cancelled.message ?? '', /cancelled; Reload Model resumes it/);
  });

  it('a hub error ends in the error state with its code', async () => {
    const service = new CompletionService(fakeClient([]), silent);
    service.setModelSource(async () => {
      throw new GhostwriterError('hub-unauthorized', 'Xenova/private is gated.');
    });
    const state = await service.ensureLoaded(settingsWith({ modelPath: 'Xenova/private' }));
    assert.equal(state.kind, 'error');
    assert.equal(state.errorCode, 'hub-unauthorized');
    assert.equal(state.modelName, 'Xenova/private');
    service.dispose();
  });
});
