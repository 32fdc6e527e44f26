import { strict as assert } from 'node:assert';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, type Settings } from '../../src/core/config';
import { CompletionService } from '../../src/core/completionService';
import { EngineClient, forkInference } from '../../src/core/engineClient';
import { GhostwriterError } from '../../src/core/errors';
import { createLogger, type LogLevel } from '../../src/core/logger';
import type { CompletionOptions } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';
import { modelCopy, preparedCacheDir, repoRoot, tinyModel } from './helpers';

const script = () => join(repoRoot(), 'dist', 'inference.js');
const snap = (prefix: string, suffix = '') => createSnapshot({ prefix, suffix, languageId: 'python', path: 'x.py', version: 1 });
const options = (o: Partial<CompletionOptions> = {}): CompletionOptions => ({
  temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxNewTokens: 6, contextTokens: 200, timeoutMs: 60_000, newline: 'none', numReturnSequences: 1, seed: 1, ...o,
});

export function setup(spawn = forkInference(script())) {
  const lines: [LogLevel, string][] = [];
  const crashes: [string, boolean][] = [];
  const reloadFailures: string[] = [];
  /** Runs once, when the next request's first token is sampled in the child. */
  let onFirstToken: (() => void) | undefined;
  const log = createLogger((level, message) => lines.push([level, message]));
  const client = new EngineClient(spawn, log, {
    crashed: (reason, gaveUp) => crashes.push([reason, gaveUp]),
    reloadFailed: (error) => reloadFailures.push(error.message),
    firstToken: () => {
      const f = onFirstToken;
      onFirstToken = undefined;
      f?.();
    },
  });
  const atFirstToken = (f: () => void) => (onFirstToken = f);
  return { client, lines, crashes, reloadFailures, log, atFirstToken };
}

/** Resolves when `condition` holds, checking at every turn of the event loop (at most `ms`). */
async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const load = async (client: EngineClient, modelDir?: string) => client.load({ modelDir: modelDir ?? (await tinyModel()), modelFile: 'auto', executionProvider: 'cpu', cacheDir: preparedCacheDir() });
const long = () => options({ maxNewTokens: 10_000, contextTokens: 10 });

describe('inference process (real child process over IPC)', function () {
  this.timeout(60_000);
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => (ctx = setup()));
  afterEach(() => ctx.client.dispose());

  it('loads a model and completes in the child process, not in this one', async () => {
    const info = await ctx.client.load({ modelDir: await tinyModel(), modelFile: 'auto', executionProvider: 'cpu' });
    assert.equal(info.nLayer, 2);
    assert.equal(info.provider, 'cpu');
    assert.ok(ctx.client.pid && ctx.client.pid !== process.pid);
    const result = await ctx.client.complete(snap('def fibonacci(n):'), options(), new AbortController().signal);
    assert.equal(result?.completions[0].tokenIds.length, 6);
    assert.ok(ctx.lines.some(([, m]) => /^\[inference\] loaded tiny-/.test(m)), 'the child logs through the parent');
  });

  it('a load error comes back as a typed error naming the file', async () => {
    const copy = modelCopy(await tinyModel(), (dir) => rmSync(join(dir, 'tokenizer.json')));
    try {
      const err = await ctx.client.load({ modelDir: copy.dir, modelFile: 'auto', executionProvider: 'cpu' }).catch((e: unknown) => e);
      assert.ok(err instanceof GhostwriterError);
      assert.equal(err.code, 'model-not-found');
      assert.match(err.message, /tokenizer\.json/);
      // No model: a completion is simply no suggestion.
      assert.equal(await ctx.client.complete(snap('x'), options(), new AbortController().signal), undefined);
    } finally {
      copy.cleanup();
    }
  });

  it('abort stops a long generation between steps', async () => {
    await ctx.client.load({ modelDir: await tinyModel(), modelFile: 'auto', executionProvider: 'cpu' });
    const controller = new AbortController();
    const pending = ctx.client.complete(snap('def f():'), options({ maxNewTokens: 240, contextTokens: 10 }), controller.signal);
    ctx.atFirstToken(() => controller.abort());
    assert.equal(await pending, undefined);
    // The inference process says how far it got: well short of the 240 tokens asked for.
    const line = ctx.lines.map(([, m]) => /(\d+) new \(aborted\)/.exec(m)).find(Boolean);
    assert.ok(line, `an 'aborted' line in the log: ${JSON.stringify(ctx.lines.slice(-3))}`);
    assert.ok(Number(line[1]) < 240, `stopped after ${line[1]} of 240 tokens`);
    // The process is still good for the next request.
    assert.ok((await ctx.client.complete(snap('x ='), options(), new AbortController().signal))?.completions.length);
  });

  it('when the process dies mid-request: no suggestion, the log says why, the next request gets a fresh process', async () => {
    await ctx.client.load({ modelDir: await tinyModel(), modelFile: 'auto', executionProvider: 'cpu' });
    const firstPid = ctx.client.pid;
    const pending = ctx.client.complete(snap('def f():'), options({ maxNewTokens: 10_000, contextTokens: 10 }), new AbortController().signal);
    ctx.atFirstToken(() => process.kill(firstPid!, 'SIGKILL'));
    assert.equal(await pending, undefined);
    assert.ok(ctx.lines.some(([level, m]) => level === 'error' && /killed by SIGKILL/.test(m)), JSON.stringify(ctx.lines));
    assert.deepEqual(ctx.crashes.map(([, gaveUp]) => gaveUp), [false]);
    const again = await ctx.client.complete(snap('x ='), options(), new AbortController().signal);
    assert.equal(again?.completions[0].tokenIds.length, 6, 'the model was reloaded in the fresh process');
    assert.notEqual(ctx.client.pid, firstPid);
  });

  it('dispose during a request resolves it to no suggestion and ends the process', async () => {
    await load(ctx.client);
    const pid = ctx.client.pid!;
    const pending = ctx.client.complete(snap('def f():'), long(), new AbortController().signal);
    ctx.atFirstToken(() => ctx.client.dispose());
    assert.equal(await pending, undefined);
    await until(() => !alive(pid), 'the process is gone');
  });

  it('a process that cannot be started resolves the load with a clear error', async () => {
    ctx = setup(forkInference('/nonexistent/inference.js'));
    const err = await load(ctx.client).catch((e: unknown) => e);
    assert.ok(err instanceof GhostwriterError, String(err));
    assert.match(err.message, /inference process exited with code 1 while loading/);
  });

  it('when the model is gone after a crash, the failed reload is reported, not swallowed', async () => {
    const copy = modelCopy(await tinyModel(), () => undefined);
    try {
      await load(ctx.client, copy.dir);
      const pid = ctx.client.pid!;
      copy.cleanup();
      process.kill(pid, 'SIGKILL');
      await until(() => ctx.crashes.length === 1, 'the crash is reported');
      assert.equal(await ctx.client.complete(snap('x'), options(), new AbortController().signal), undefined);
      assert.equal(ctx.reloadFailures.length, 1);
      assert.match(ctx.reloadFailures[0], /does not exist/);
    } finally {
      copy.cleanup();
    }
  });

  it('after three crashes within a minute it stops restarting and says so', async () => {
    await ctx.client.load({ modelDir: await tinyModel(), modelFile: 'auto', executionProvider: 'cpu' });
    for (let i = 0; i < 3; i++) {
      const pid = ctx.client.pid!;
      const pending = ctx.client.complete(snap('def f():'), options({ maxNewTokens: 10_000, contextTokens: 10 }), new AbortController().signal);
      ctx.atFirstToken(() => process.kill(pid, 'SIGKILL'));
      assert.equal(await pending, undefined);
      if (i < 2) await ctx.client.complete(snap('x'), options({ maxNewTokens: 1 }), new AbortController().signal);
    }
    assert.equal(ctx.crashes[2][1], true);
    assert.equal(await ctx.client.complete(snap('x'), options(), new AbortController().signal), undefined);
    assert.equal(ctx.client.pid, undefined, 'no new process');
  });
});

describe('completion service', function () {
  this.timeout(60_000);
  let ctx: ReturnType<typeof setup>;
  let service: CompletionService;
  let settings: Settings;
  beforeEach(async () => {
    ctx = setup();
    service = new CompletionService(ctx.client, ctx.log, preparedCacheDir());
    settings = { ...DEFAULTS, modelPath: await tinyModel(), temperature: 0, debounceMs: 0, executionProvider: 'cpu' };
  });
  afterEach(() => {
    service.dispose();
    ctx.client.dispose();
  });

  it('goes loading -> ready and answers with filtered text', async () => {
    const kinds: string[] = [];
    service.onDidChangeState((s) => kinds.push(s.kind));
    const state = await service.ensureLoaded(settings);
    assert.equal(state.kind, 'ready');
    assert.match(state.modelName ?? '', /^tiny-/);
    const answer = await service.complete(snap('def fibonacci(n):'), settings, new AbortController().signal);
    assert.equal(answer.cancelled, false);
    assert.deepEqual(kinds.slice(0, 2), ['loading', 'ready']);
    assert.ok(kinds.includes('generating'));
    assert.equal(service.state.kind, 'ready');
  });

  it('loads once when asked twice for the same model', async () => {
    const a = service.ensureLoaded(settings);
    const b = service.ensureLoaded(settings);
    assert.equal(a, b);
    await a;
    assert.equal(ctx.lines.filter(([, m]) => /loaded tiny/.test(m)).length, 1);
  });

  it('a newer request aborts the older one, which is cancelled, not an error', async () => {
    await service.ensureLoaded(settings);
    const slow = { ...settings, maxNewTokens: 256, lineMode: 'multiLine' as const, debounceMs: 20 };
    const first = service.complete(snap('def f():'), slow, new AbortController().signal);
    const second = service.complete(snap('x = '), { ...settings, maxNewTokens: 2 }, new AbortController().signal);
    assert.equal((await first).cancelled, true);
    assert.equal((await second).cancelled, false);
  });

  it('a broken model ends in the error state with the reason', async () => {
    const state = await service.ensureLoaded({ ...settings, modelPath: '/nonexistent/model' });
    assert.equal(state.kind, 'error');
    assert.match(state.message ?? '', /does not exist/);
    assert.deepEqual((await service.complete(snap('x'), settings, new AbortController().signal)).texts, []);
  });

  it('no model chosen or disabled: the disabled state says what to do, and the process is ended', async () => {
    await service.ensureLoaded(settings);
    assert.ok(ctx.client.pid);
    assert.match((await service.ensureLoaded({ ...settings, modelPath: '' })).message ?? '', /Choose Model and Temperature/);
    assert.equal(ctx.client.pid, undefined, 'no process holds a model nobody uses');
    assert.match((await service.ensureLoaded({ ...settings, enable: false })).message ?? '', /ghostwriter\.enable/);
  });

  it('a forced reload of the same model loads it again; an unforced one does not', async () => {
    await service.ensureLoaded(settings);
    await service.ensureLoaded(settings);
    assert.equal(ctx.lines.filter(([, m]) => /loaded tiny/.test(m)).length, 1);
    assert.equal((await service.ensureLoaded(settings, true)).kind, 'ready');
    assert.equal(ctx.lines.filter(([, m]) => /loaded tiny/.test(m)).length, 2);
  });

  it('a model fixed after a failed load loads when chosen again', async () => {
    const copy = modelCopy(await tinyModel(), (dir) => rmSync(join(dir, 'tokenizer.json')));
    try {
      const broken = { ...settings, modelPath: copy.dir };
      assert.equal((await service.ensureLoaded(broken)).kind, 'error');
      copyFileSync(join(await tinyModel(), 'tokenizer.json'), join(copy.dir, 'tokenizer.json'));
      assert.equal((await service.ensureLoaded(broken, true)).kind, 'ready');
    } finally {
      copy.cleanup();
    }
  });
});
