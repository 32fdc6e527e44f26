import { strict as assert } from 'node:assert';
import { copyFileSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, type Settings } from '../../src/core/config';
import { CompletionService } from '../../src/core/completionService';
import { EngineClient, forkInference, RESTART_DELAYS_MS, type EngineClientOptions } from '../../src/core/engineClient';
import { GhostwriterError } from '../../src/core/errors';
import { createLogger, type LogLevel } from '../../src/core/logger';
import type { CompletionOptions } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';
import { modelCopy, preparedCacheDir, repoRoot, tinyModel, tinyModelB } from './helpers';
import type { EngineState } from '../../src/core/engineState';

const script = () => join(repoRoot(), 'dist', 'inference.js');
const snap = (prefix: string, suffix = '') => createSnapshot({ prefix, suffix, languageId: 'python', path: 'x.py', version: 1 });
const options = (o: Partial<CompletionOptions> = {}): CompletionOptions => ({
  temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxNewTokens: 6, contextTokens: 200, timeoutMs: 60_000, newline: 'none', numReturnSequences: 1, seed: 1, ...o,
});

export function setup(spawn = forkInference(script()), clientOptions: EngineClientOptions = {}) {
  const lines: [LogLevel, string][] = [];
  const crashes: [string, boolean][] = [];
  const reloadFailures: string[] = [];
  const idleUnloads: number[] = [];
  let reloads = 0;
  /** Runs once, when the next request's first token is sampled in the child. */
  let onFirstToken: (() => void) | undefined;
  const log = createLogger((level, message) => lines.push([level, message]));
  let service: CompletionService | undefined;
  const client = new EngineClient(
    spawn,
    log,
    {
      crashed: (reason, gaveUp) => (crashes.push([reason, gaveUp]), service?.onEngineCrash(reason, gaveUp)),
      reloadFailed: (error) => (reloadFailures.push(error.message), service?.onReloadFailed(error.message)),
      idleUnloaded: (minutes) => (idleUnloads.push(minutes), service?.onIdleUnload(minutes)),
      reloaded: () => (reloads++, service?.onEngineReloaded()),
      firstToken: () => {
        const f = onFirstToken;
        onFirstToken = undefined;
        f?.();
      },
    },
    clientOptions,
  );
  const atFirstToken = (f: () => void) => (onFirstToken = f);
  /** Wires the events to a service, as the extension does. */
  const attach = (s: CompletionService) => (service = s);
  return { client, lines, crashes, reloadFailures, idleUnloads, reloads: () => reloads, log, atFirstToken, attach };
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
    let now = 1_000_000;
    ctx = setup(forkInference(script()), { now: () => now });
    await ctx.client.load({ modelDir: await tinyModel(), modelFile: 'auto', executionProvider: 'cpu' });
    for (let i = 0; i < 3; i++) {
      const pid = ctx.client.pid!;
      const pending = ctx.client.complete(snap('def f():'), options({ maxNewTokens: 10_000, contextTokens: 10 }), new AbortController().signal);
      ctx.atFirstToken(() => process.kill(pid, 'SIGKILL'));
      assert.equal(await pending, undefined);
      now += RESTART_DELAYS_MS[i] ?? 0;
      if (i < 2) await ctx.client.complete(snap('x'), options({ maxNewTokens: 1 }), new AbortController().signal);
    }
    assert.equal(ctx.crashes[2][1], true);
    assert.equal(await ctx.client.complete(snap('x'), options(), new AbortController().signal), undefined);
    assert.equal(ctx.client.pid, undefined, 'no new process');
  });

  it('killed before its first token (while the prompt is sent or prefilled): no suggestion, the log says why, the next request works', async () => {
    // Kills the process as soon as a completion request has gone down the pipe to it.
    let armed = false;
    let firstTokens = 0;
    const factory = forkInference(script());
    ctx = setup(() => {
      const child = factory();
      const send = child.send.bind(child) as (m: unknown, cb?: (e: Error | null) => void) => boolean;
      (child as { send: unknown }).send = (message: { type: string }, callback?: (e: Error | null) => void) =>
        send(message, (err) => {
          callback?.(err);
          if (armed && message.type === 'complete') {
            armed = false;
            child.kill('SIGKILL');
          }
        });
      return child;
    });
    await load(ctx.client);
    const firstPid = ctx.client.pid;
    armed = true;
    ctx.atFirstToken(() => firstTokens++);
    const longPrompt = snap('total = 0\nfor value in values:\n    total += value * 2\n'.repeat(40));
    assert.equal(await ctx.client.complete(longPrompt, options({ contextTokens: 200 }), new AbortController().signal), undefined);
    assert.equal(firstTokens, 0, 'killed before a token was sampled');
    assert.ok(ctx.lines.some(([level, m]) => level === 'error' && /killed by SIGKILL; 1 request\(s\) in flight get no suggestion; the next request starts a fresh one/.test(m)), JSON.stringify(ctx.lines.slice(-3)));
    const again = await ctx.client.complete(longPrompt, options({ contextTokens: 200 }), new AbortController().signal);
    assert.equal(again?.completions[0].tokenIds.length, 6);
    assert.notEqual(ctx.client.pid, firstPid);
  });

  it('killed during the look-ahead (after its answer was given): the answer stands, the look-ahead just stops, the next request works', async () => {
    await load(ctx.client);
    const firstPid = ctx.client.pid!;
    let grown = 0;
    const result = await ctx.client.complete(snap('def f():'), options({ maxNewTokens: 2, lookAheadTokens: 10_000, contextTokens: 10 }), new AbortController().signal, () => {
      if (grown++ === 0) process.kill(firstPid, 'SIGKILL');
    });
    assert.equal(result?.completions[0].tokenIds.length, 2, 'the answer came before the look-ahead');
    await until(() => ctx.crashes.length === 1, 'the crash during the look-ahead is noticed');
    assert.ok(grown >= 1);
    assert.ok(ctx.lines.some(([level, m]) => level === 'error' && /killed by SIGKILL; 0 request\(s\) in flight get no suggestion/.test(m)), JSON.stringify(ctx.lines.slice(-3)));
    const again = await ctx.client.complete(snap('x ='), options(), new AbortController().signal);
    assert.equal(again?.completions[0].tokenIds.length, 6);
    assert.notEqual(ctx.client.pid, firstPid);
  });

  it('a second crash within a minute backs off: requests get nothing and start no process until the delay is over, the log says for how long', async () => {
    let now = 1_000_000;
    ctx = setup(forkInference(script()), { now: () => now });
    await load(ctx.client);
    for (let i = 0; i < 2; i++) {
      const pid = ctx.client.pid!;
      process.kill(pid, 'SIGKILL');
      await until(() => ctx.crashes.length === i + 1, `crash ${i + 1} is noticed`);
      if (i === 0) assert.ok(await ctx.client.complete(snap('x'), options({ maxNewTokens: 1 }), new AbortController().signal), 'the first restart is at once');
    }
    assert.match(ctx.lines.filter(([l]) => l === 'error').pop()![1], /crashed 2 times within a minute: the first request after 5 s starts a fresh one/);
    now += RESTART_DELAYS_MS[1] - 1;
    assert.equal(await ctx.client.complete(snap('x'), options(), new AbortController().signal), undefined);
    assert.equal(await ctx.client.complete(snap('xy'), options(), new AbortController().signal), undefined);
    assert.equal(ctx.client.pid, undefined, 'no process started during the back-off');
    assert.equal(ctx.lines.filter(([, m]) => /no restart for 1 s/.test(m)).length, 1, 'said once, not per request');
    now += 1;
    assert.equal((await ctx.client.complete(snap('x'), options(), new AbortController().signal))?.completions[0].tokenIds.length, 6);
    assert.equal(ctx.crashes.at(-1)![1], false, 'not given up');
  });

  it('idle unload: after the idle minutes the process exits and returns its memory; the next request loads the model again', async () => {
    // A minute of 40 ms.
    ctx = setup(forkInference(script()), { minuteMs: 40 });
    await load(ctx.client);
    ctx.client.setIdleUnload(1);
    assert.ok(await ctx.client.complete(snap('x'), options({ maxNewTokens: 1 }), new AbortController().signal));
    const pid = ctx.client.pid!;
    await until(() => ctx.idleUnloads.length === 1, 'the idle unload');
    assert.deepEqual(ctx.idleUnloads, [1]);
    await until(() => !alive(pid), 'the process is gone');
    assert.equal(ctx.client.pid, undefined);
    assert.deepEqual(ctx.crashes, [], 'an unload is not a crash');
    assert.ok(ctx.lines.some(([, m]) => /no request for 1 min \(ghostwriter\.idleUnloadMinutes\): the inference process \(pid \d+\) exits/.test(m)));
    const again = await ctx.client.complete(snap('def f():'), options(), new AbortController().signal);
    assert.equal(again?.completions[0].tokenIds.length, 6);
    assert.notEqual(ctx.client.pid, pid);
    assert.equal(ctx.reloads(), 1);
    assert.ok(ctx.lines.some(([, m]) => /reloading the model after the idle unload/.test(m)));
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

  it('a process that keeps dying ends in the error state (saying to reload), and Reload Model brings it back', async () => {
    let now = 1_000_000;
    ctx = setup(forkInference(script()), { now: () => now });
    service = new CompletionService(ctx.client, ctx.log, preparedCacheDir());
    ctx.attach(service);
    assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
    for (let i = 0; i < 3; i++) {
      const pid = ctx.client.pid!;
      process.kill(pid, 'SIGKILL');
      await until(() => ctx.crashes.length === i + 1, `crash ${i + 1}`);
      now += RESTART_DELAYS_MS[i] ?? 0;
      if (i < 2) {
        const a = await service.complete(snap(`x${i} = `), settings, new AbortController().signal, 'explicit');
        assert.ok(ctx.client.pid, `a fresh process after crash ${i + 1}: ${JSON.stringify(a)} ${JSON.stringify(ctx.lines.slice(-4))}`);
      }
    }
    assert.equal(service.state.kind, 'error');
    assert.match(service.state.message ?? '', /killed by SIGKILL \(3 crashes within a minute\)\. Reload the model to try again/);
    assert.deepEqual((await service.complete(snap('x = '), settings, new AbortController().signal)).texts, [], 'nothing while in the error state');
    assert.equal(ctx.client.pid, undefined);
    // Reload Model (the command forces a load of the same settings).
    assert.equal((await service.ensureLoaded(settings, true)).kind, 'ready');
    assert.ok((await service.complete(snap('def fibonacci(n):'), settings, new AbortController().signal)).texts.length > 0);
  });

  it('idle unload through the service: the state says the model is unloaded, and the next request clears it', async () => {
    ctx = setup(forkInference(script()), { minuteMs: 40 });
    service = new CompletionService(ctx.client, ctx.log, preparedCacheDir());
    ctx.attach(service);
    const idle = { ...settings, idleUnloadMinutes: 1 };
    assert.equal((await service.ensureLoaded(idle)).kind, 'ready');
    await until(() => service.state.idleUnloaded === true, 'the state to say unloaded');
    assert.equal(service.state.kind, 'ready');
    assert.match(service.state.message ?? '', /Unloaded after 1 min without requests \(ghostwriter\.idleUnloadMinutes\); the next suggestion loads it again/);
    const answer = await service.complete(snap('def fibonacci(n):'), idle, new AbortController().signal);
    assert.ok(answer.texts.length > 0, 'answered after reloading');
    assert.equal(service.state.idleUnloaded, undefined);
    assert.equal(service.state.message, undefined);
    assert.equal(service.state.kind, 'ready');
  });

  it('the model changes while a request is in flight: that request ends (cancelled, no crash), the next uses the new model', async () => {
    assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
    const pid = ctx.client.pid;
    const other = { ...settings, modelPath: await tinyModelB() };
    let switched: Promise<EngineState> | undefined;
    ctx.atFirstToken(() => (switched = service.ensureLoaded(other)));
    const first = await service.complete(snap('def f():'), { ...settings, maxNewTokens: 256, lineMode: 'multiLine' }, new AbortController().signal, 'explicit');
    assert.equal(first.cancelled, true);
    assert.ok(switched, 'the switch happened during the request');
    const from = ctx.lines.length;
    const state = await switched;
    assert.equal(state.kind, 'ready', state.message);
    assert.match(state.modelName ?? '', /^tiny-b-/);
    assert.deepEqual(ctx.crashes, [], 'no crash');
    assert.equal(ctx.client.pid, pid, 'the same process, another model');
    const second = await service.complete(snap('def fibonacci(n):'), other, new AbortController().signal, 'explicit');
    assert.equal(second.cancelled, false);
    assert.ok(second.texts.length > 0);
    // The one process holds one model: the new one was loaded before the request, nothing after it.
    const loads = ctx.lines.map(([, m]) => /^\[inference\] loaded (tiny-\S+)/.exec(m)?.[1]).filter(Boolean);
    assert.match(loads.at(-1) ?? '', /^tiny-b-/, JSON.stringify(loads));
    assert.ok(ctx.lines.slice(from).every(([, m]) => !/^\[inference\] loaded tiny-(?!b-)/.test(m)));
  });

  it('a model that breaks while another is loaded gets its specific error, and the model that was serving keeps serving', async () => {
    const good = await tinyModel();
    const editConfig = (dir: string, edit: (c: Record<string, unknown>) => void) => {
      const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      edit(c);
      writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
    };
    const broken: [string, (dir: string) => void, RegExp][] = [
      ['a corrupt ONNX graph', (dir) => {
        for (const f of readdirSync(join(dir, 'onnx'))) writeFileSync(join(dir, 'onnx', f), readFileSync(join(dir, 'onnx', f)).subarray(0, 5000));
      }, /ONNX Runtime could not load .*model(_quantized)?\.onnx: .*Protobuf parsing failed/],
      ['a truncated tokenizer.json', (dir) => writeFileSync(join(dir, 'tokenizer.json'), readFileSync(join(dir, 'tokenizer.json')).subarray(0, 2000)), /tokenizer\.json is not valid JSON/],
      ['a config.json that disagrees with the graph', (dir) => editConfig(dir, (c) => (c['n_layer'] = 3)), /config\.json says n_layer 3, but the graph has no input "past_key_values\.2\.key"/],
      // A folder whose files cannot be read (the drive behind the links is gone); root reads a chmod 000 folder anyway.
      ['an unreadable folder', (dir) => {
        for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
          rmSync(join(dir, f));
          symlinkSync(join(dir, 'gone', f), join(dir, f));
        }
      }, /The model folder has no config\.json/],
    ];
    assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
    const pid = ctx.client.pid;
    for (const [what, edit, message] of broken) {
      const copy = modelCopy(good, edit);
      try {
        const state = await service.ensureLoaded({ ...settings, modelPath: copy.dir });
        console.log(`      ${what}: ${state.message}`);
        assert.equal(state.kind, 'ready', `${what}: ${state.kind} ${state.message}`);
        assert.match(state.modelName ?? '', /^tiny-/, `${what}: still the serving model`);
        assert.equal(state.failedModel, 'model', what);
        assert.match(state.message ?? '', message, what);
        assert.ok(state.errorCode, `${what}: a specific error code`);
        const answer = await service.complete(snap(`def f_${what.length}():`), settings, new AbortController().signal, 'explicit');
        assert.ok(answer.texts.length > 0, `${what}: the serving model still answers`);
        assert.equal(ctx.client.pid, pid, `${what}: the same process, no crash`);
      } finally {
        copy.cleanup();
      }
    }
    // After a crash the fresh process loads the model that was serving, not the broken one.
    process.kill(pid!, 'SIGKILL');
    await until(() => ctx.crashes.length === 1, 'the crash');
    assert.ok((await service.complete(snap('x = '), settings, new AbortController().signal, 'explicit')).texts.length > 0);
    assert.equal(ctx.reloadFailures.length, 0);
  });

  it('a model too large for memory (the process is killed while loading it): its error, and the model that was serving comes back', async () => {
    const big = await tinyModelB();
    // The OOM killer, stood in for: the process dies as soon as it is asked to load `big`.
    const factory = forkInference(script());
    ctx = setup(() => {
      const child = factory();
      const send = child.send.bind(child) as (m: unknown, cb?: (e: Error | null) => void) => boolean;
      (child as { send: unknown }).send = (message: { type: string; options?: { modelDir?: string } }, callback?: (e: Error | null) => void) =>
        send(message, (err) => {
          callback?.(err);
          if (message.type === 'load' && message.options?.modelDir === big) child.kill('SIGKILL');
        });
      return child;
    });
    service = new CompletionService(ctx.client, ctx.log, preparedCacheDir());
    ctx.attach(service);
    assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
    const state = await service.ensureLoaded({ ...settings, modelPath: big });
    assert.equal(state.kind, 'ready', state.message);
    assert.match(state.modelName ?? '', /^tiny-(?!b-)/, 'the model that was serving');
    assert.match(state.failedModel ?? '', /^tiny-b-/);
    assert.equal(state.errorCode, 'inference-crashed');
    assert.match(state.message ?? '', /The inference process was killed by SIGKILL while loading .*tiny-b-.*If it ran out of memory, try ghostwriter\.modelFile "quantized" or a smaller model/);
    // The next request starts a fresh process with the model that worked.
    const answer = await service.complete(snap('def fibonacci(n):'), settings, new AbortController().signal, 'explicit');
    assert.ok(answer.texts.length > 0);
    const loads = ctx.lines.map(([, m]) => /^\[inference\] loaded (tiny-\S+)/.exec(m)?.[1]).filter(Boolean);
    assert.match(loads.at(-1) ?? '', /^tiny-(?!b-)/, JSON.stringify(loads));
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
