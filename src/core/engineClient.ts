// The extension host's side of the inference process: forks it, sends requests with ids,
// aborts them, and starts a fresh process (reloading the model) after a crash.
import { fork, type ChildProcess } from 'node:child_process';
import { GhostwriterError } from './errors';
import type { Logger } from './logger';
import type { CompletionOptions, CompletionResult, LoadOptions, ModelInfo, Request, Response } from './protocol';
import type { DocumentSnapshot } from './snapshot';

export type ProcessFactory = () => ChildProcess;

/** Forks the bundled inference script with the editor's own Node (Electron runs as Node here). */
export function forkInference(scriptPath: string): ProcessFactory {
  return () =>
    fork(scriptPath, [], {
      execPath: process.execPath,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
}

interface Pending {
  readonly resolve: (response: Response) => void;
}

/** After this many crashes within CRASH_WINDOW_MS the client stops restarting until the next load(). */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;

export class EngineClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private loadOptions: LoadOptions | undefined;
  /** Resolves when the current process has the model loaded (or failed to). */
  private loaded: Promise<ModelInfo> | undefined;
  private crashes: number[] = [];
  private disposed = false;

  constructor(
    private readonly spawn: ProcessFactory,
    private readonly log: Logger,
    private readonly onCrash: (reason: string, gaveUp: boolean) => void = () => undefined,
  ) {}

  /** Loads a model in the inference process (starting it when needed), replacing any loaded one. */
  load(options: LoadOptions): Promise<ModelInfo> {
    this.loadOptions = options;
    this.crashes = [];
    this.loaded = this.sendLoad(options);
    return this.loaded;
  }

  /** Resolves to undefined when aborted, when the process died, or when no model could be loaded. */
  async complete(snapshot: DocumentSnapshot, options: CompletionOptions, signal: AbortSignal): Promise<CompletionResult | undefined> {
    if (signal.aborted || !(await this.ensureLoaded())) return undefined;
    if (signal.aborted) return undefined;
    const id = this.nextId++;
    const onAbort = () => this.post({ type: 'abort', id });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.request({ type: 'complete', id, snapshot, options });
      if (response.type === 'completed') return response.result;
      if (response.type === 'error') throw GhostwriterError.fromData(response.error);
      return undefined;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Kills the inference process; the next request starts a fresh one. */
  dispose(): void {
    this.disposed = true;
    this.child?.kill();
    this.child = undefined;
  }

  /** For tests and diagnostics. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async sendLoad(options: LoadOptions): Promise<ModelInfo> {
    const response = await this.request({ type: 'load', id: this.nextId++, options });
    if (response.type === 'loaded') return response.info;
    if (response.type === 'error') throw GhostwriterError.fromData(response.error);
    throw new GhostwriterError('inference-crashed', 'The inference process stopped while loading the model.');
  }

  /** After a crash the fresh process has no model: reload the last one before the next request. */
  private async ensureLoaded(): Promise<boolean> {
    if (!this.loadOptions) return false;
    if (!this.child && this.loaded) {
      if (this.crashes.length >= MAX_CRASHES) return false;
      this.log.info('starting a fresh inference process and reloading the model');
      this.loaded = this.sendLoad(this.loadOptions);
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
      this.pending.set(request.id, { resolve });
      this.post(request);
    });
  }

  private post(request: Request): void {
    const child = this.ensureChild();
    child.send(request, (err) => {
      if (err && this.pending.has(request.id)) this.log.warn(`could not send ${request.type} #${request.id}: ${err.message}`);
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    if (this.disposed) throw new GhostwriterError('internal', 'The engine client was disposed.');
    const child = this.spawn();
    this.child = child;
    child.on('message', (message) => this.onMessage(message as Response));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.log.warn(`inference stderr: ${chunk.trimEnd()}`));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.log.debug(`inference stdout: ${chunk.trimEnd()}`));
    child.on('error', (err) => this.log.error(`inference process error: ${err.message}`));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.log.info(`inference process started (pid ${child.pid})`);
    return child;
  }

  private onMessage(message: Response): void {
    if (message.type === 'log') {
      this.log[message.level](message.message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    pending.resolve(message);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
    if (this.disposed) return;
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS).concat(now);
    const giveUp = this.crashes.length >= MAX_CRASHES;
    this.log.error(`inference process (pid ${child.pid}) ${reason}; ${this.pending.size} request(s) in flight get no suggestion${giveUp ? `; it crashed ${MAX_CRASHES} times within a minute, so it is not restarted until the model is reloaded` : '; the next request starts a fresh one'}.`);
    // Requests in flight resolve as 'aborted': no suggestion, not an error.
    for (const [id, p] of this.pending) p.resolve({ type: 'aborted', id });
    this.pending.clear();
    this.onCrash(giveUp ? `The inference process ${reason} (${MAX_CRASHES} crashes within a minute).` : `The inference process ${reason}.`, giveUp);
  }
}
