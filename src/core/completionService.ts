// Owns the model's lifetime (load = release + create) and the engine state, and turns a
// snapshot into cleaned completions: debounce, abort the older request, generate, filter.
import { describeCause, GhostwriterError } from './errors';
import type { Settings } from './config';
import type { EngineClient } from './engineClient';
import type { EngineState } from './engineState';
import { Emitter } from './events';
import { postProcessAll } from './filters';
import type { Logger } from './logger';
import type { CompletionOptions, NewlinePolicy } from './protocol';
import { currentLine, type DocumentSnapshot } from './snapshot';

export interface CompletionAnswer {
  readonly texts: readonly string[];
  /** True when the request was aborted or superseded before it finished: no items, no error. */
  readonly cancelled: boolean;
}

export class CompletionService {
  private readonly stateEmitter = new Emitter<EngineState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private current: EngineState = { kind: 'disabled', message: 'No model chosen yet.' };
  private inFlight: AbortController | undefined;
  private loadGeneration = 0;
  /** What the last load was asked to load, so a settings event and a command asking for the same model load it once. */
  private loadKey: string | undefined;
  private loading: Promise<EngineState> | undefined;
  private seedCounter = 1;
  /** Requests past their debounce; the state is 'generating' while any is. */
  private generating = 0;

  constructor(
    private readonly client: EngineClient,
    private readonly log: Logger,
  ) {}

  get state(): EngineState {
    return this.current;
  }

  /** Loads the model the settings name unless that is what was last asked for. */
  ensureLoaded(settings: Settings): Promise<EngineState> {
    const key = JSON.stringify([settings.enable, settings.modelPath, settings.modelFile, settings.executionProvider]);
    if (key === this.loadKey && this.loading) return this.loading;
    this.loadKey = key;
    this.loading = this.reload(settings);
    return this.loading;
  }

  /** Loads the model the settings name (release + create); the state ends 'ready', 'error' or 'disabled'. */
  async reload(settings: Settings): Promise<EngineState> {
    const generation = ++this.loadGeneration;
    this.inFlight?.abort();
    if (!settings.enable) return this.setState({ kind: 'disabled', message: 'Ghostwriter is turned off (ghostwriter.enable).' });
    if (!settings.modelPath) {
      return this.setState({ kind: 'disabled', message: 'No model chosen: run "Ghostwriter: Choose Model and Temperature".' });
    }
    const modelName = baseName(settings.modelPath);
    this.setState({ kind: 'loading', modelName });
    try {
      const info = await this.client.load({
        modelDir: settings.modelPath,
        modelFile: settings.modelFile,
        executionProvider: settings.executionProvider,
      });
      if (generation !== this.loadGeneration) return this.current;
      return this.setState({ kind: 'ready', modelName: info.name, provider: info.provider, fallbackReason: info.fallbackReason });
    } catch (err) {
      if (generation !== this.loadGeneration) return this.current;
      const message = describeCause(err);
      this.log.error(`could not load ${settings.modelPath}: ${message}`);
      return this.setState({ kind: 'error', modelName, message });
    }
  }

  /** The inference process died: the client restarts it on the next request, or gave up. */
  onEngineCrash(reason: string, gaveUp: boolean): void {
    if (gaveUp) this.setState({ ...this.current, kind: 'error', message: `${reason} Reload the model to try again; the log has details.` });
  }

  async complete(snapshot: DocumentSnapshot, settings: Settings, signal: AbortSignal): Promise<CompletionAnswer> {
    // A newer request supersedes the older one.
    this.inFlight?.abort();
    const own = new AbortController();
    this.inFlight = own;
    const combined = AbortSignal.any([signal, own.signal]);
    const cancelled = { texts: [], cancelled: true };
    if (this.current.kind !== 'ready' && this.current.kind !== 'generating') return { texts: [], cancelled: false };
    if (!(await sleep(settings.debounceMs, combined))) return cancelled;
    const ready = this.current.kind === 'ready' ? this.current : { ...this.current, kind: 'ready' as const };
    if (this.generating++ === 0) this.setState({ ...ready, kind: 'generating' });
    try {
      const result = await this.client.complete(snapshot, this.optionsFor(snapshot, settings), combined);
      if (!result || combined.aborted) return cancelled;
      const t = result.timings;
      this.log.info(
        `${snapshot.path}: ${result.promptTokenIds.length} prompt tokens, ${t.newTokens} new in ${t.totalMs} ms (prefill ${t.prefillMs} ms, decode ${t.decodeMs} ms), stop ${result.completions.map((c) => c.stopReason).join(',') || 'none'}`,
      );
      return { texts: postProcessAll(result.completions.map((c) => c.text), snapshot), cancelled: false };
    } catch (err) {
      const message = err instanceof GhostwriterError ? err.message : describeCause(err);
      this.log.error(`completion failed for ${snapshot.path}: ${message}`);
      return { texts: [], cancelled: false };
    } finally {
      if (this.inFlight === own) this.inFlight = undefined;
      if (--this.generating === 0 && this.current.kind === 'generating') this.setState(ready);
    }
  }

  dispose(): void {
    this.inFlight?.abort();
    this.stateEmitter.dispose();
  }

  private optionsFor(snapshot: DocumentSnapshot, settings: Settings): CompletionOptions {
    return {
      temperature: settings.temperature,
      topK: settings.topK,
      topP: settings.topP,
      repetitionPenalty: settings.repetitionPenalty,
      maxNewTokens: settings.maxNewTokens,
      contextTokens: settings.contextTokens,
      timeoutMs: settings.timeoutMs,
      newline: newlinePolicy(snapshot, settings.lineMode),
      numReturnSequences: 1,
      seed: this.seedCounter++,
    };
  }

  private setState(state: EngineState): EngineState {
    this.current = state;
    this.stateEmitter.fire(state);
    return state;
  }
}

/**
 * 'auto': in the middle of a line, or after code that does not open a block, complete the line;
 * on an empty line or after an opener (`{`, `(`, `[`, `:`), offer a block.
 */
export function newlinePolicy(snapshot: DocumentSnapshot, mode: Settings['lineMode']): NewlinePolicy {
  if (mode !== 'auto') return mode;
  const { before, after } = currentLine(snapshot);
  if (after.trim().length > 0) return 'singleLine';
  const code = before.trimEnd();
  return code.length === 0 || /[{([:]$/.test(code) ? 'multiLine' : 'singleLine';
}

/** Resolves true after ms, or false at once when the signal aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function baseName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? path;
}
