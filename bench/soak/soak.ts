// The soak (issue 14, section 5): human-like typing over real files through CompletionService,
// EngineClient and the real inference process, a fixed number of requests, with faults on a
// seeded schedule (SIGKILL mid-prefill and mid-decode, model swaps, a corrupt model, an idle
// unload). Every request must end accounted for: served (items or none), cancelled (the next key
// superseded it), or failed inside a fault's window with the fault as its reason. Anything else
// (a hang, an error outside a fault, an answer for a cancelled request) is lost and fails the run.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CompletionService, type CompletionAnswer, type Trigger } from '../../src/core/completionService';
import { parseSettings, type Settings } from '../../src/core/config';
import { EngineClient, forkInference, type EngineEvents } from '../../src/core/engineClient';
import { GhostwriterError } from '../../src/core/errors';
import { createLogger } from '../../src/core/logger';
import type { CompletionResult, Request, Response } from '../../src/core/protocol';
import type { DocumentSnapshot } from '../../src/core/snapshot';
import { seededRng } from '../../src/inference/rng';
import type { SourceFile } from '../corpus';
import { snapshotAt } from '../editorSnapshot';
import { EventLoopProbe, sleep, waitForExit } from '../procStats';
import { uniform } from '../rng';
import { corruptCopy, faultSchedule, type FaultKind, type ModelChoice, type PlannedFault } from './faults';
import { MemorySampler, type MemoryPeaks } from './memory';
import { Typist, type Keystroke } from './typist';

export interface SoakPace {
  readonly keyMs: readonly [number, number];
  readonly pauseMs: readonly [number, number];
  readonly pauseAfterLine: number;
  readonly pauseAfterKey: number;
}

/** What a soak run does, whichever models it runs (bench/soak/config.ts names them per mode). */
export interface SoakRunParams {
  readonly requests: number;
  readonly faults: number;
  readonly seed: number;
  readonly pace: SoakPace;
  /** How long one minute of ghostwriter.idleUnloadMinutes lasts in the run. */
  readonly idleMinuteMs: number;
  /** A request not ended after this long is a hang. */
  readonly hangMs: number;
  /** A fault must be followed by a model answer within this long (typing on) or it did not recover. */
  readonly recoverMs: number;
  /** Settings beyond the extension's defaults (the quick run shortens the debounce). */
  readonly settings?: Partial<Settings>;
}

export interface SoakOptions extends SoakRunParams {
  /** The inference bundle to fork (dist/inference.js, or a staged copy). */
  readonly inferenceScript: string;
  /** The two models the swaps go between (fp32 and int8 in two folders). */
  readonly models: readonly [ModelChoice, ModelChoice];
  /** Corrupt copies and prepared graphs go here. */
  readonly workDir: string;
  readonly files: readonly SourceFile[];
  readonly logLine: (line: string) => void;
  readonly progress?: (line: string) => void;
}

export type Outcome = 'served' | 'cancelled' | 'failed' | 'lost';

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly corruption?: string;
  readonly plannedAt: number;
  /** The request index it came before. */
  injectedAt?: number;
  /** ms from the start: injected, its effect in place (the kill landed, the load settled, the process unloaded), a model answer again. */
  startedMs?: number;
  settledMs?: number;
  recoveredMs?: number;
  /** Kills: what the process was doing (prefill: no first token yet; decode: tokens coming; after-answer: look-ahead or idle). */
  phase?: string;
  /** What was reported: the crash reason, the load's error, the status message. */
  reported?: string;
  /** Requests that ended failed in its window. */
  failedRequests: number;
  problem?: string;
}

export interface SoakResult {
  readonly seed: number;
  readonly requests: { issued: number; served: number; servedWithItems: number; typedAhead: number; cancelled: number; failed: number; lost: number; hung: number };
  readonly failedReasons: Record<string, number>;
  readonly lost: readonly string[];
  readonly restarts: number;
  readonly crashes: number;
  readonly faults: readonly FaultRecord[];
  readonly memory: MemoryPeaks;
  readonly eventLoopMaxStallMs: number;
  readonly eventLoopP99Ms: number;
  readonly durationMs: number;
  readonly keystrokes: Record<string, number>;
  /** Everything held: zero lost, every fault injected and recovered from as specified. */
  readonly ok: boolean;
  readonly problems: readonly string[];
}

interface EngineCall {
  readonly startedMs: number;
  /** Crashes seen when it started, and whether a process was there when it ended. */
  readonly crashesBefore: number;
  crashesAfter?: number;
  processAfter?: boolean;
  result?: CompletionResult;
  error?: Error;
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const random = seededRng(opts.seed);
  const faultRandom = seededRng((opts.seed ^ 0x9e3779b9) >>> 0);
  const typist = new Typist(opts.files, seededRng((opts.seed + 0x51a) >>> 0));
  const plan: PlannedFault[] = faultSchedule(opts.requests, opts.faults, faultRandom);
  const faults: FaultRecord[] = plan.map((p) => ({ kind: p.kind, ...(p.corruption ? { corruption: p.corruption } : {}), plannedAt: p.atRequest, failedRequests: 0 }));
  const problems: string[] = [];
  const logger = createLogger((level, message) => opts.logLine(`${level} ${message}`));

  // ---- the inference process, watched: which request it is on; the kills ----------------------
  const fork = forkInference(opts.inferenceScript);
  let spawned = 0;
  let current: { id: number; firstToken: boolean; answered: boolean } | undefined;
  let armed: { fault: FaultRecord; phase: 'prefill' | 'decode' } | undefined;
  let onCrash: ((reason: string) => void) | undefined;
  const kill = (child: ChildProcess, fault: FaultRecord) => {
    if (armed?.fault !== fault || child.exitCode !== null || child.signalCode !== null) return;
    armed = undefined;
    fault.phase = !current ? 'no request' : current.answered ? 'after-answer' : current.firstToken ? 'decode' : 'prefill';
    fault.startedMs = now();
    onCrash = (reason) => {
      fault.settledMs = now();
      fault.reported = reason;
    };
    child.kill('SIGKILL');
  };
  const spawn = () => {
    const child = fork();
    spawned++;
    const send = child.send.bind(child) as (m: Request, cb?: (e: Error | null) => void) => boolean;
    child.send = ((message: Request, cb?: (e: Error | null) => void) => {
      const sent = send(message, cb);
      if (message.type === 'complete' && !message.options.prefillOnly) {
        current = { id: message.id, firstToken: false, answered: false };
        // Mid-prefill: the request has just gone out; the process is tokenizing and running the prompt.
        const a = armed;
        if (a?.phase === 'prefill') setTimeout(() => kill(child, a.fault), Math.floor(uniform(faultRandom, 0, 3)));
      }
      return sent;
    }) as typeof child.send;
    child.on('message', (m: Response) => {
      if (m.type === 'log' || !current || m.id !== current.id) return;
      if (m.type === 'first-token') {
        current.firstToken = true;
        // Mid-decode: the first token is out, the rest are being decoded.
        const a = armed;
        if (a?.phase === 'decode') kill(child, a.fault);
      } else if (m.type === 'completed' || m.type === 'aborted' || m.type === 'error') {
        current.answered = true;
      }
    });
    return child;
  };

  // ---- the extension's side: the client and the service, wired as src/extension.ts wires them -
  let idleUnloaded: (() => void) | undefined;
  let crashes = 0;
  const events: EngineEvents = {
    crashed: (reason, gaveUp) => {
      crashes++;
      onCrash?.(reason);
      onCrash = undefined;
      if (gaveUp) problems.push(`the client gave up restarting: ${reason}`);
      service.onEngineCrash(reason, gaveUp);
    },
    reloadFailed: (error) => {
      problems.push(`reloading after a crash or unload failed: ${error.code}: ${error.message}`);
      service.onReloadFailed(error.message);
    },
    idleUnloaded: (minutes) => {
      service.onIdleUnload(minutes);
      idleUnloaded?.();
    },
    reloaded: () => service.onEngineReloaded(),
  };
  const calls = new WeakMap<DocumentSnapshot, EngineCall>();
  let openFault: FaultRecord | undefined;
  /** What must hold once the open fault has settled: the folder serving, and anything else. */
  let expectation: { dir: string; check?: () => string | undefined } | undefined;
  class SoakClient extends EngineClient {
    override async complete(...args: Parameters<EngineClient['complete']>): Promise<CompletionResult | undefined> {
      const call: EngineCall = { startedMs: now(), crashesBefore: crashes };
      if (!args[1].prefillOnly) calls.set(args[0], call);
      try {
        call.result = await super.complete(...args);
        return call.result;
      } catch (err) {
        call.error = err instanceof Error ? err : new Error(String(err));
        throw err;
      } finally {
        call.processAfter = this.pid !== undefined;
        call.crashesAfter = crashes;
        if (call.result) recovered(call);
      }
    }
  }
  const client = new SoakClient(spawn, logger.child('engine'), events, { minuteMs: opts.idleMinuteMs });
  const service = new CompletionService(client, logger.child('completion'), join(opts.workDir, 'prepared'));
  /** A model answer to a request made after the open fault settled: the fault is over. */
  const recovered = (call: EngineCall) => {
    const f = openFault;
    if (!f || f.settledMs === undefined || call.startedMs < f.settledMs) return;
    f.recoveredMs = now();
    const serving = client.serving?.modelDir;
    if (expectation && serving !== expectation.dir) f.problem ??= `served by ${serving}, expected ${expectation.dir}`;
    const bad = expectation?.check?.();
    if (bad) f.problem ??= bad;
    openFault = undefined;
  };

  const base = parseSettings({ modelPath: opts.models[0].dir, modelFile: opts.models[0].modelFile, executionProvider: 'cpu' }).settings;
  let settings: Settings = { ...base, ...opts.settings, idleUnloadMinutes: 0 };
  let serving: ModelChoice = opts.models[0];
  const memory = new MemorySampler(() => client.pid);
  const probe = new EventLoopProbe();
  const counts = { issued: 0, served: 0, servedWithItems: 0, typedAhead: 0, cancelled: 0, failed: 0, lost: 0, hung: 0 };
  const failedReasons: Record<string, number> = {};
  const lost: string[] = [];
  const keystrokes: Record<string, number> = {};
  /** The fault whose window ([injected, recovered], open while unrecovered) overlaps a request's life. */
  const windowOf = (from: number, to: number) => faults.find((f) => f.startedMs !== undefined && f.startedMs <= to && (f.recoveredMs ?? Infinity) >= from);
  let loop = { maxMs: 0, p99Ms: 0 };

  // The corrupt folders, made before anything is measured (copying is the soak's work, not the extension's).
  const corrupted = new Map<string, string>();
  for (const p of plan) {
    if (!p.corruption) continue;
    for (const [m, model] of opts.models.entries()) {
      const key = `${p.corruption}:${model.dir}`;
      if (!corrupted.has(key)) corrupted.set(key, corruptCopy(model.dir, join(opts.workDir, `corrupt-${p.corruption}-${m}`), p.corruption, model.modelFile));
    }
  }
  try {
    memory.start();
    const first = await service.ensureLoaded(settings);
    if (first.kind !== 'ready') throw new Error(`the model did not load: ${first.message ?? first.kind}`);
    probe.start();
    const pending = new Set<Promise<void>>();
    let previous: AbortController | undefined;

    const runFault = async (f: FaultRecord, index: number) => {
      f.injectedAt = index;
      const p = plan[faults.indexOf(f)];
      if (f.kind === 'kill-prefill' || f.kind === 'kill-decode') {
        // Fired by the next request the process gets (spawn above); before a prefill kill the typing
        // jumps elsewhere, so that request's prompt is not in the cache and the prefill is a long one.
        if (f.kind === 'kill-prefill') typist.jumpNext();
        armed = { fault: f, phase: f.kind === 'kill-prefill' ? 'prefill' : 'decode' };
        expectation = { dir: serving.dir };
      } else if (f.kind === 'swap' || f.kind === 'corrupt') {
        const target = f.kind === 'swap' ? opts.models.find((m) => m !== serving)! : { dir: corrupted.get(`${p.corruption}:${serving.dir}`)!, modelFile: serving.modelFile };
        const before = serving;
        f.startedMs = now();
        // The settings change with requests in flight; typing goes on during the load. A corrupt
        // model stays named in the settings (as a person's would) while the old one serves.
        settings = { ...settings, modelPath: target.dir, modelFile: target.modelFile };
        if (f.kind === 'swap') serving = target;
        expectation = { dir: serving.dir };
        void service.ensureLoaded(settings).then((state) => {
          f.settledMs = now();
          if (f.kind === 'swap') {
            f.reported = `loaded ${target.modelFile} from ${target.dir}`;
            if (state.kind !== 'ready' || state.failedModel) f.problem = `the swap to ${target.dir} (${target.modelFile}) ended ${state.kind}: ${state.message ?? ''}`;
          } else {
            f.reported = `${state.errorCode ?? 'no code'}: ${state.message ?? '(no message)'}`;
            if (state.kind !== 'ready' || !state.failedModel || !state.message || !state.errorCode) f.problem = `a corrupt ${p.corruption} did not leave ${before.dir} serving with a typed error reported: ${JSON.stringify(state)}`;
          }
        });
      } else {
        // Idle unload: ghostwriter.idleUnloadMinutes 1 and no typing until the process has gone.
        await Promise.all(pending);
        const pid = client.pid;
        f.startedMs = now();
        settings = { ...settings, idleUnloadMinutes: 1 };
        const limit = opts.idleMinuteMs * 3 + opts.recoverMs;
        const unloaded = new Promise<boolean>((resolve) => {
          idleUnloaded = () => resolve(true);
          setTimeout(() => resolve(false), limit).unref();
        });
        client.setIdleUnload(1);
        if (!(await unloaded)) f.problem = `no idle unload ${limit} ms after the last request`;
        idleUnloaded = undefined;
        await waitForExit(pid);
        f.settledMs = now();
        f.reported = service.state.message ?? '(no status message)';
        if (!service.state.idleUnloaded) f.problem ??= 'the state does not say the model is unloaded';
        settings = { ...settings, idleUnloadMinutes: 0 };
        expectation = { dir: serving.dir, check: () => (service.state.idleUnloaded ? 'still marked unloaded after serving again' : undefined) };
      }
      openFault = f;
    };

    let next = 0;
    /** One request: the key's document, the previous request cancelled, its end accounted for. */
    const issue = (index: number, key: Keystroke, trigger: Trigger): Promise<void> => {
      keystrokes[key.kind] = (keystrokes[key.kind] ?? 0) + 1;
      // The key arrives: the editor cancels the request of the key before.
      previous?.abort();
      const controller = new AbortController();
      previous = controller;
      const snapshot = snapshotAt(key.doc, key.offset, settings.contextTokens);
      const issuedMs = now();
      const stateAtIssue = service.state.kind;
      counts.issued++;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), opts.hangMs)));
      const request = service.complete(snapshot, settings, controller.signal, trigger).then(
        (answer) => ({ answer }),
        (err: unknown) => ({ thrown: err }),
      );
      const ended: Promise<void> = Promise.race([request, hang]).then((r) => {
        clearTimeout(timer);
        const endedMs = now();
        const account = (outcome: Outcome, reason?: string): void => {
          if (outcome === 'failed') {
            const w = windowOf(issuedMs, endedMs);
            if (!w) return account('lost', `failed outside any fault window: ${reason}`);
            w.failedRequests++;
            const why = `${w.kind}: ${reason}`;
            failedReasons[why] = (failedReasons[why] ?? 0) + 1;
          }
          counts[outcome]++;
          if (outcome === 'lost') lost.push(`request ${index} (${key.doc.path} v${key.doc.version}, at ${issuedMs.toFixed(0)} ms, state ${stateAtIssue}): ${reason}`);
        };
        if (r === 'hung') {
          counts.hung++;
          return account('lost', `no answer after ${opts.hangMs} ms`);
        }
        if ('thrown' in r) return account('lost', `CompletionService.complete threw: ${String(r.thrown)}`);
        const answer: CompletionAnswer = r.answer;
        const call = calls.get(snapshot);
        if (answer.cancelled) {
          if (controller.signal.aborted) return account('cancelled');
          // Nothing newer came: the process died under it, the client is backing off, or a load superseded it.
          return account('failed', call ? (call.error ? `error ${codeOf(call.error)}` : noAnswer(call)) : 'cancelled before it reached the process');
        }
        if (call?.error) return account('failed', `error ${codeOf(call.error)}: ${call.error.message}`);
        if (stateAtIssue !== 'ready' && stateAtIssue !== 'generating') return account('failed', `the model was ${stateAtIssue}`);
        // The editor shows items only for a request it has not cancelled: the service must not answer one with a model run.
        if (answer.texts.length > 0 && controller.signal.aborted && answer.source === 'model') return account('lost', 'items for a cancelled request');
        account('served');
        if (answer.texts.length > 0) counts.servedWithItems++;
        if (answer.source === 'typed-ahead') counts.typedAhead++;
      });
      pending.add(ended);
      void ended.finally(() => pending.delete(ended));
      return ended;
    };

    // The requests asked for; then on (up to twice as many) while a planned fault has not come or not recovered yet.
    for (let i = 0; i < opts.requests || ((next < faults.length || openFault || armed) && i < opts.requests * 2); i++) {
      // The next fault, once the one before has recovered (so each failure has one cause).
      const f = faults[next];
      if (f && i >= f.plannedAt && !openFault && !armed) {
        next++;
        await runFault(f, i);
      }
      if (openFault?.startedMs !== undefined && now() - openFault.startedMs > opts.recoverMs) openFault.problem ??= `no model answer ${opts.recoverMs} ms after the fault`;
      const key = typist.next();
      void issue(i, key, 'automatic');
      if ((i + 1) % Math.max(1, Math.round(opts.requests / 10)) === 0) {
        opts.progress?.(`${i + 1}/${opts.requests} requests: ${counts.served} served, ${counts.cancelled} cancelled, ${counts.failed} failed, ${counts.lost} lost; faults ${faults.filter((x) => x.injectedAt !== undefined).length}/${faults.length}`);
      }
      const pause = random() < (key.lineEnd ? opts.pace.pauseAfterLine : opts.pace.pauseAfterKey);
      await sleep(pause ? uniform(random, ...opts.pace.pauseMs) : uniform(random, ...opts.pace.keyMs));
    }
    await Promise.all(pending);
    // A fault still waiting for its model answer (the run ended inside its window, or inside the
    // client's back-off): ask explicitly now and then, as a person would, until it answers.
    let extra = counts.issued;
    while (openFault?.startedMs !== undefined && now() - openFault.startedMs < opts.recoverMs) {
      await issue(extra++, typist.next(), 'explicit');
      if (openFault) await sleep(250);
    }
  } finally {
    loop = probe.stop();
    const pid = client.pid;
    service.dispose();
    client.dispose();
    await waitForExit(pid);
    memory.stop();
  }

  for (const f of faults) {
    if (f.injectedAt === undefined) problems.push(`${f.kind} (planned before request ${f.plannedAt}) was never injected`);
    else if (f.startedMs === undefined) problems.push(`${f.kind} before request ${f.injectedAt}: armed, never fired`);
    else if (f.recoveredMs === undefined) problems.push(`${f.kind} before request ${f.injectedAt}: no model answer after it`);
    if (f.problem) problems.push(`${f.kind} before request ${f.injectedAt}: ${f.problem}`);
  }
  if (counts.lost > 0) problems.push(`${counts.lost} request(s) lost`);
  if (counts.served + counts.cancelled + counts.failed + counts.lost !== counts.issued) problems.push('requests unaccounted for');
  return {
    seed: opts.seed,
    requests: counts,
    failedReasons,
    lost,
    restarts: spawned - 1,
    crashes,
    faults,
    memory: memory.peaks(),
    eventLoopMaxStallMs: round(loop.maxMs),
    eventLoopP99Ms: round(loop.p99Ms),
    durationMs: Math.round(now()),
    keystrokes,
    ok: problems.length === 0,
    problems,
  };
}

/** Why the client answered nothing to a request nobody cancelled. */
function noAnswer(call: EngineCall): string {
  if (call.crashesBefore < (call.crashesAfter ?? 0)) return 'the process died under it';
  return call.processAfter ? 'the process was asked to stop it (a load superseded it)' : 'no process: the client is backing off after a crash';
}

function codeOf(err: Error): string {
  return err instanceof GhostwriterError ? err.code : err.name;
}

const round = (x: number) => Math.round(x * 10) / 10;
