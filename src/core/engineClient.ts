// The extension host's side of the inference process: forks it, sends requests with ids,
// aborts them, and starts a fresh process (reloading the model) after a crash.
import { fork, type ChildProcess } from 'node:child_process';
import { describeCause, GhostwriterError } from './errors';
import { INFERENCE_EXEC_ARGV, inferenceEnv } from './inferenceEnv';
import type { Logger } from './logger';
import type { CompletionOptions, CompletionResult, LoadOptions, ModelInfo, Request, Response } from './protocol';
import type { DocumentSnapshot } from './snapshot';

export type ProcessFactory = () => ChildProcess;

/**
 * Forks the bundled inference script with the editor's own Node (Electron runs as Node here), with
 * only the environment it needs (inferenceEnv: no token, no secret, no NODE_OPTIONS) and its Node
 * flags (INFERENCE_EXEC_ARGV). `execArgv` is for tests that preload a probe.
 */
export function forkInference(scriptPath: string, { execArgv = [] as readonly string[] } = {}): ProcessFactory {
  return () =>
    fork(scriptPath, [], {
      execPath: process.execPath,
      execArgv: [...INFERENCE_EXEC_ARGV, ...execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: inferenceEnv(),
    });
}

/** What the client tells its owner about the process's life. */
export interface EngineEvents {
  /** The process died; `gaveUp` when it crashed too often to be restarted. */
  crashed(reason: string, gaveUp: boolean): void;
  /** The process was ended after the idle time with no request; the next request loads the model again. */
  idleUnloaded?(minutes: number): void;
  /** A process ended by a crash or the idle unload has the model loaded again. */
  reloaded?(): void;
  /** The fresh process after a crash could not load the model again. */
  reloadFailed(error: GhostwriterError): void;
  /** A request's first token was sampled in the process. */
  firstToken?(): void;
}

const noEvents: EngineEvents = { crashed: () => undefined, reloadFailed: () => undefined };

/** After this many crashes within CRASH_WINDOW_MS the client stops restarting until the next load(). */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;
/**
 * How long after the n-th crash in the window (index n - 1) a request may start a fresh process:
 * the first restarts at once (one bad request, an OOM kill), a second waits, a third gives up.
 */
export const RESTART_DELAYS_MS: readonly number[] = [0, 5_000];

export interface EngineClientOptions {
  /** The clock crashes and back-off are measured by (tests move it). */
  readonly now?: () => number;
  /** How long a minute of ghostwriter.idleUnloadMinutes is (tests shorten it). */
  readonly minuteMs?: number;
}

type Reply = (response: Response) => void;

export class EngineClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Reply>();
  private loadOptions: LoadOptions | undefined;
  /** The last model that loaded, and what it reported. */
  private servingModel: { readonly options: LoadOptions; readonly info: ModelInfo } | undefined;
  /** Settles when the current process has the model loaded (or failed to). */
  private loaded: Promise<ModelInfo> | undefined;
  /** The latest completion's look-ahead listener: only the newest request's continuation matters. */
  private lookAheadListener: { id: number; listener: (text: string, grown: number) => void } | undefined;
  private crashes: number[] = [];
  private lastExit = '';
  private disposed = false;
  /** The back-off already logged for this crash (one line, not one per keystroke). */
  private backoffLogged = 0;
  /** Idle unload: minutes with no request before the process exits (0: never), and its timer. */
  private idleMinutes = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The process was ended on purpose (idle): the next start is a reload, not a crash recovery. */
  private unloadedIdle = false;
  private readonly now: () => number;
  private readonly minuteMs: number;

  constructor(
    private readonly spawn: ProcessFactory,
    private readonly log: Logger,
    private readonly events: EngineEvents = noEvents,
    options: EngineClientOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.minuteMs = options.minuteMs ?? 60_000;
  }

  /**
   * After `minutes` with no request the process exits and returns the model's memory; the next
   * request starts it and loads the model again. 0: never.
   */
  setIdleUnload(minutes: number): void {
    if (minutes === this.idleMinutes) return;
    this.idleMinutes = minutes;
    this.armIdle();
  }

  /** Loads a model in the inference process (starting it when needed), replacing any loaded one. */
  /**
   * Loads a model in the inference process (starting it when needed), replacing the loaded one.
   * When it fails and another model was serving, that one goes on serving (the process releases
   * it only after a load succeeds; after a crash the fresh process loads it again): `serving` says
   * which. The failure still rejects, with its specific error.
   */
  load(options: LoadOptions): Promise<ModelInfo> {
    const previous = this.servingModel;
    this.loadOptions = options;
    this.crashes = [];
    this.unloadedIdle = false;
    const loading = this.sendLoad(options).then(
      (info) => {
        if (this.loadOptions === options) this.servingModel = { options, info };
        this.armIdle();
        return info;
      },
      (err: unknown) => {
        if (this.loadOptions === options) {
          if (previous) {
            this.log.warn(`${options.modelDir} did not load; ${previous.options.modelDir} goes on serving`);
            this.loadOptions = previous.options;
            this.loaded = Promise.resolve(previous.info);
          } else {
            this.servingModel = undefined;
          }
        }
        throw err;
      },
    );
    this.loaded = loading;
    return loading;
  }

  /** The model requests are answered by: the last one that loaded, unless stop() ended it. */
  get serving(): LoadOptions | undefined {
    return this.servingModel?.options;
  }

  /** Ends the process and forgets the model: nothing runs until the next load(). */
  stop(): void {
    this.loadOptions = undefined;
    this.loaded = undefined;
    this.servingModel = undefined;
    this.kill();
  }

  /**
   * Resolves to undefined when aborted, when the process died, or when no model could be loaded.
   * `onLookAhead` hears the continuation the process decodes past the answer, if it gets to it
   * before the next request.
   */
  async complete(snapshot: DocumentSnapshot, options: CompletionOptions, signal: AbortSignal, onLookAhead?: (text: string, grown: number) => void): Promise<CompletionResult | undefined> {
    if (signal.aborted || !(await this.ensureLoaded()) || signal.aborted) return undefined;
    const id = this.nextId++;
    this.lookAheadListener = onLookAhead ? { id, listener: onLookAhead } : undefined;
    // An abort only matters to a live process; it must never start one.
    const onAbort = () => this.child && this.post({ type: 'abort', id });
    signal.addEventListener('abort', onAbort, { once: true });
    clearTimeout(this.idleTimer);
    try {
      const response = await this.request({ type: 'complete', id, snapshot, options });
      if (response.type === 'completed') return response.result;
      if (response.type === 'error') throw GhostwriterError.fromData(response.error);
      return undefined;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.armIdle();
    }
  }

  /** Kills the inference process; requests in flight resolve to no suggestion. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    this.kill();
  }

  /** For tests and diagnostics. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    child?.kill();
    this.settleAll();
  }

  /** (Re)starts the idle countdown while a process holds a model and nothing is asked of it. */
  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.idleMinutes <= 0 || !this.child || !this.loadOptions || this.pending.size > 0) return;
    this.idleTimer = setTimeout(() => this.unloadIdle(), this.idleMinutes * this.minuteMs);
    this.idleTimer.unref?.();
  }

  private unloadIdle(): void {
    if (!this.child || this.pending.size > 0) return this.armIdle();
    this.log.info(`no request for ${this.idleMinutes} min (ghostwriter.idleUnloadMinutes): the inference process (pid ${this.child.pid}) exits to return the model's memory; the next request loads it again`);
    this.unloadedIdle = true;
    this.kill();
    this.events.idleUnloaded?.(this.idleMinutes);
  }

  private async sendLoad(options: LoadOptions): Promise<ModelInfo> {
    const response = await this.request({ type: 'load', id: this.nextId++, options });
    if (response.type === 'loaded') return response.info;
    if (response.type === 'error') throw GhostwriterError.fromData(response.error);
    throw new GhostwriterError(
      'inference-crashed',
      `The inference process ${this.lastExit || 'stopped'} while loading ${options.modelDir}. If it ran out of memory, try ghostwriter.modelFile "quantized" or a smaller model; the log has details.`,
    );
  }

  /** After a crash or an idle unload the fresh process has no model: reload the last one before the next request. */
  private async ensureLoaded(): Promise<boolean> {
    if (!this.loadOptions || !this.loaded) return false;
    if (!this.child) {
      if (this.crashes.length >= MAX_CRASHES) return false;
      const idle = this.unloadedIdle;
      if (!idle && this.crashes.length > 0) {
        const last = this.crashes[this.crashes.length - 1];
        const wait = last + (RESTART_DELAYS_MS[this.crashes.length - 1] ?? 0) - this.now();
        if (wait > 0) {
          if (this.backoffLogged !== last) {
            this.backoffLogged = last;
            this.log.warn(`the inference process crashed ${this.crashes.length} times within a minute: no restart for ${Math.ceil(wait / 1000)} s; requests until then get no suggestion`);
          }
          return false;
        }
      }
      this.unloadedIdle = false;
      this.log.info(idle ? 'reloading the model after the idle unload' : 'starting a fresh inference process and reloading the model');
      this.loaded = this.sendLoad(this.loadOptions);
      this.loaded.then(
        () => this.events.reloaded?.(),
        (err: unknown) => {
          const error = err instanceof GhostwriterError ? err : new GhostwriterError('internal', describeCause(err), { cause: err });
          this.log.error(`reloading the model ${idle ? 'after the idle unload' : 'after a crash'} failed: ${error.message}`);
          this.events.reloadFailed(error);
        },
      );
    }
    try {
      await this.loaded;
      return true;
    } catch {
      return false;
    }
  }

  private request(request: Exclude<Request, { type: 'abort' }>): Promise<Response> {
    return new Promise((resolve) => {
      this.pending.set(request.id, resolve);
      try {
        this.post(request);
      } catch (err) {
        this.pending.delete(request.id);
        resolve({ type: 'error', id: request.id, error: { code: 'inference-crashed', message: `Could not start the inference process: ${describeCause(err)}` } });
      }
    });
  }

  private post(request: Request): void {
    this.ensureChild().send(request, (err) => {
      if (err && this.pending.has(request.id)) this.log.warn(`could not send ${request.type} #${request.id}: ${err.message}`);
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    if (this.disposed) throw new GhostwriterError('internal', 'The engine client was disposed.');
    const child = this.spawn();
    this.child = child;
    child.on('message', (message) => this.onMessage(message as Response));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.log.warn(`inference stderr: ${plain(chunk)}`));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.log.debug(`inference stdout: ${plain(chunk)}`));
    child.on('error', (err) => {
      this.log.error(`inference process error: ${err.message}`);
      // A process that never started emits no 'exit': treat the failed spawn as one.
      if (child.pid === undefined) this.onExit(child, `could not be started (${err.message})`);
    });
    child.on('exit', (code, signal) => this.onExit(child, signal ? `was killed by ${signal}` : `exited with code ${code}`));
    this.log.info(`inference process started (pid ${child.pid})`);
    return child;
  }

  private onMessage(message: Response): void {
    if (message.type === 'log') {
      this.log[message.level](message.message);
      return;
    }
    if (message.type === 'first-token') {
      this.events.firstToken?.();
      return;
    }
    if (message.type === 'lookahead') {
      if (this.lookAheadListener?.id === message.id) this.lookAheadListener.listener(message.text, message.grown);
      return;
    }
    const reply = this.pending.get(message.id);
    if (!reply) return;
    this.pending.delete(message.id);
    reply(message);
  }

  private onExit(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.lastExit = reason;
    const now = this.now();
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS).concat(now);
    const gaveUp = this.crashes.length >= MAX_CRASHES;
    const delay = RESTART_DELAYS_MS[this.crashes.length - 1] ?? 0;
    const next = gaveUp
      ? `; it crashed ${MAX_CRASHES} times within a minute, so it is not restarted until the model is reloaded`
      : delay > 0
        ? `; it crashed ${this.crashes.length} times within a minute: the first request after ${delay / 1000} s starts a fresh one`
        : '; the next request starts a fresh one';
    this.log.error(`inference process (pid ${child.pid}) ${reason}; ${this.pending.size} request(s) in flight get no suggestion${next}.`);
    this.settleAll();
    this.events.crashed(gaveUp ? `The inference process ${reason} (${MAX_CRASHES} crashes within a minute).` : `The inference process ${reason}.`, gaveUp);
  }

  /** Requests in flight resolve as 'aborted': no suggestion, not an error. */
  private settleAll(): void {
    const pending = [...this.pending];
    this.pending.clear();
    for (const [id, reply] of pending) reply({ type: 'aborted', id });
  }
}

/** ONNX Runtime colours its own log lines; the log channel shows the escapes as text. */
function plain(chunk: string): string {
  return chunk.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
}
