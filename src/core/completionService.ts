// Owns the model's lifetime (load = release + create) and the engine state, and turns a
// snapshot into cleaned completions: debounce, abort the older request, generate, filter.
import { describeCause, GhostwriterError } from './errors';
import { RELOAD_KEYS, type Settings } from './config';
import type { CompletionSource } from './completionSource';
import type { EngineClient } from './engineClient';
import type { EngineState } from './engineState';
import { Emitter } from './events';
import { AUTOMATIC_MAX_TEMPERATURE, rankCompletions } from './completion/alternatives';
import { tokenBudget } from './completion/blockBudget';
import { decide } from './completion/completionPolicy';
import { enabledAnywhere } from './enablement';
import type { Logger } from './logger';
import { modelDisplayName, resolveModelSource, type ModelSourceResolver } from './modelSource';
import type { CompletionOptions, NewlinePolicy } from './protocol';
import { requestContext } from './completion/requestContext';
import { currentLine, cursorOffset, type DocumentSnapshot } from './snapshot';
import { suggestAll, type Suggestion } from './completion/suggestion';
import { tuned } from './tuning';
import { TypingRhythm } from './typingRhythm';
import { continuesPrediction, predictionAt, remainingPrediction, type Prediction } from './completion/typedAhead';

/** 'explicit': the user asked (Trigger Inline Suggestion): no debounce, no typed-ahead reuse. */
export type Trigger = 'automatic' | 'explicit';

export interface CompletionAnswer {
  readonly texts: readonly string[];
  /** Per text: how many characters after the cursor it replaces (closers it re-emits); absent: none. */
  readonly replaceSuffixChars?: readonly number[];
  /** True when the request was aborted or superseded before it finished: no items, no error. */
  readonly cancelled: boolean;
  /** 'typed-ahead': served from what an earlier request already decoded, with no model run. */
  readonly source?: 'model' | 'typed-ahead';
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
  /** Turns the model setting (a folder or a hub id) into a folder to load; the extension gives one with progress and a token. */
  private resolveSource: ModelSourceResolver = resolveModelSource;
  /** Where completions come from: the local engine, or a router that may send them to a server (src/core/remote/router.ts). */
  private source: CompletionSource;
  /** Aborts the current load's download, when a newer load or dispose() supersedes it. */
  private loadAbort: AbortController | undefined;
  /** Requests past their debounce; the state is 'generating' while any is. */
  private generating = 0;
  /** Model requests not finished yet, in their debounce or generating (warm-ups not counted): the engine is busy while any is. */
  private unfinished = 0;
  /** Where the last request or warm-up ran (path, cursor, version): warming it again is wasted. */
  private lastPlace = '';
  /** The last answer's raw text (grown by the look-ahead): typing it on is served from here. */
  private prediction: Prediction | undefined;
  private readonly growEmitter = new Emitter<Prediction>();
  /** The look-ahead made the last suggestion longer: the editor may show it again (refresh()). */
  readonly onDidGrowSuggestion = this.growEmitter.event;
  /**
   * Until when an explicit request is the editor re-asking after a growth (refresh()) and is served
   * from the prediction. A window, not a one-shot flag: a keystroke's automatic request may come
   * first, and the editor may ask more than once; a model run there would replace the suggestion.
   */
  private refreshUntil = 0;
  /** The warm-up under way, if any: a newer warm-up replaces it, a completion aborts it. */
  private warming: AbortController | undefined;
  /** Counters for the status bar tooltip and the bench. */
  readonly stats = { requests: 0, typedAhead: 0, cancelled: 0, lastPromptTokens: 0, lastCachedTokens: 0 };

  constructor(
    private readonly client: EngineClient,
    private readonly log: Logger,
    /** Where prepared graphs are kept (the extension's global storage). */
    private readonly cacheDir?: string,
    /** Decoding time before an automatic trigger answers; the look-ahead grows it from there. */
    private readonly earlyDecodeMs = EARLY_DECODE_MS,
    /** The gaps between this user's keystrokes: how long a pause is (src/core/typingRhythm.ts). */
    private readonly rhythm = new TypingRhythm(),
  ) {
    this.source = client;
  }

  /** Where hub models come from and how their downloads are shown (src/core/modelSource.ts). */
  setModelSource(resolver: ModelSourceResolver): void {
    this.resolveSource = resolver;
  }

  /** A router that may send completions to a server (src/core/remote/router.ts); default: the local engine. */
  setCompletionSource(source: CompletionSource): void {
    this.source = source;
  }

  get state(): EngineState {
    return this.current;
  }

  /** The loaded model fills in the middle (src/core/completion/completionPolicy.ts: a line may be filled in). */
  private get fim(): boolean {
    return this.source.remote?.fim ?? this.current.fim === true;
  }

  /**
   * Loads the model the settings name. A load of the same model still under way is joined, not
   * repeated (a settings event and the command that saved the settings both ask); `force`
   * reloads a model that already finished loading, or failed to.
   */
  ensureLoaded(settings: Settings, force = false): Promise<EngineState> {
    const key = loadKeyOf(settings);
    if (this.loading && key === this.loadKey) return this.loading;
    if (!force && key === this.loadKey) return Promise.resolve(this.current);
    return this.reload(settings, key);
  }

  /** Loads the model the settings name (release + create); the state ends 'ready', 'error' or 'disabled'. */
  reload(settings: Settings, key = loadKeyOf(settings)): Promise<EngineState> {
    this.loadKey = key;
    const loading = this.load(settings).finally(() => {
      if (this.loading === loading) this.loading = undefined;
    });
    this.loading = loading;
    return loading;
  }

  private async load(settings: Settings): Promise<EngineState> {
    const generation = ++this.loadGeneration;
    this.inFlight?.abort();
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    this.prediction = undefined;
    if (enabledAnywhere(settings.enable) && !settings.modelPath && this.source.server) {
      // A server answers and no local model is chosen (none to fall back to).
      this.client.stop();
      return this.setState({ kind: 'ready', modelName: this.source.server });
    }
    if (!enabledAnywhere(settings.enable) || !settings.modelPath) {
      // Nothing to run: free the model's memory and the process.
      this.client.stop();
      return this.setState({
        kind: 'disabled',
        message: enabledAnywhere(settings.enable) ? 'No model chosen: run "Ghostwriter: Choose Model and Temperature".' : 'Ghostwriter is turned off (ghostwriter.enable).',
      });
    }
    let modelName = modelDisplayName(settings.modelPath);
    // The model answering now: when the new one fails to load, it goes on answering.
    const serving = this.current.kind === 'ready' || this.current.kind === 'generating' ? withoutNotes({ ...this.current, kind: 'ready' }) : undefined;
    const servingDir = this.client.serving?.modelDir;
    /** The failure came from loading the files (not finding or downloading them): only then does the old model stay. */
    let inProcess = false;
    this.setState({ kind: 'loading', modelName });
    try {
      // A hub id is downloaded (or found in the Hugging Face cache) first; a folder is used as it is.
      const model = await this.resolveSource(settings, abort.signal);
      if (generation !== this.loadGeneration) return this.latest();
      modelName = model.name;
      this.client.setIdleUnload(settings.idleUnloadMinutes);
      inProcess = true;
      const info = await this.client.load({
        modelDir: model.dir,
        modelFile: settings.modelFile,
        executionProvider: settings.executionProvider,
        ...(this.cacheDir ? { cacheDir: this.cacheDir } : {}),
      });
      if (generation !== this.loadGeneration) return this.latest();
      if (info.msPerToken && info.prefillMsPerToken) {
        const t = tuned({ ...settings, explicit: new Set() }, { msPerToken: info.msPerToken, prefillMsPerToken: info.prefillMsPerToken });
        this.log.info(`tuned to this machine (where not set): contextTokens ${t.contextTokens}, maxNewTokens ${t.maxNewTokens}, timeoutMs ${t.timeoutMs}`);
      }
      return this.setState({
        kind: 'ready',
        // info.name is the folder's name: a snapshot's commit hash for a hub model.
        modelName,
        provider: info.provider,
        ...(info.msPerToken ? { msPerToken: info.msPerToken } : {}),
        ...(info.prefillMsPerToken ? { prefillMsPerToken: info.prefillMsPerToken } : {}),
        ...(info.fim ? { fim: true } : {}),
        ...(info.fallbackReason ? { fallbackReason: info.fallbackReason, cudaRequested: settings.executionProvider === 'cuda' } : {}),
        ...(info.fallbackKind ? { fallbackKind: info.fallbackKind } : {}),
      });
    } catch (err) {
      if (generation !== this.loadGeneration) return this.latest();
      const message = describeCause(err);
      const errorCode = err instanceof GhostwriterError ? err.code : undefined;
      if (errorCode === 'cancelled') {
        this.log.info(`the download of ${modelName} was cancelled`);
        return this.setState({ kind: 'disabled', modelName, errorCode, message: `The download of ${modelName} was cancelled; Reload Model resumes it.` });
      }
      this.log.error(`could not load ${settings.modelPath}: ${message}`);
      if (inProcess && serving && servingDir !== undefined && this.client.serving?.modelDir === servingDir) {
        this.log.warn(`${serving.modelName ?? servingDir} goes on serving`);
        return this.setState({ ...serving, failedModel: modelName, message, ...(errorCode ? { errorCode } : {}) });
      }
      return this.setState({ kind: 'error', modelName, message, ...(errorCode ? { errorCode } : {}) });
    }
  }

  /** A superseded load answers with the state the newest load ends in. */
  private latest(): Promise<EngineState> {
    return this.loading ?? Promise.resolve(this.current);
  }

  /** The inference process died: the client restarts it on the next request, unless it gave up. */
  onEngineCrash(reason: string, gaveUp: boolean): void {
    if (gaveUp) this.fail(`${reason} Reload the model to try again; the log has details.`);
  }

  /** The process exited after the idle time: still 'ready' (the next request reloads), and the status bar says it is unloaded. */
  onIdleUnload(minutes: number): void {
    if (this.current.kind !== 'ready') return;
    this.setState({ ...this.current, idleUnloaded: true, message: `Unloaded after ${minutes} min without requests (ghostwriter.idleUnloadMinutes); the next suggestion loads it again.` });
  }

  /** A process ended by a crash or the idle unload has the model again. */
  onEngineReloaded(): void {
    if (!this.current.idleUnloaded) return;
    const { idleUnloaded: _idle, message: _message, ...rest } = this.current;
    this.log.info(`${rest.modelName ?? 'the model'} is loaded again`);
    this.setState(rest);
  }

  /** The process restarted after a crash but the model no longer loads (files changed or gone). */
  onReloadFailed(message: string): void {
    this.fail(message);
  }

  private fail(message: string): void {
    this.setState({ kind: 'error', ...(this.current.modelName ? { modelName: this.current.modelName } : {}), message });
  }

  async complete(snapshot: DocumentSnapshot, settings: Settings, signal: AbortSignal, trigger: Trigger = 'automatic'): Promise<CompletionAnswer> {
    if (trigger === 'automatic') this.rhythm.note(Date.now());
    // A newer request supersedes the older one.
    this.inFlight?.abort();
    const own = new AbortController();
    this.inFlight = own;
    const combined = AbortSignal.any([signal, own.signal]);
    const cancelled = { texts: [], cancelled: true };
    if (this.current.kind !== 'ready' && this.current.kind !== 'generating') return { texts: [], cancelled: false };
    // The mid-line gate: text after the cursor that is not closers or punctuation gets nothing.
    if (decide(snapshot, settings.lineMode, this.fim) === undefined) return { texts: [], cancelled: false };
    this.stats.requests++;
    this.client.setIdleUnload(settings.idleUnloadMinutes);
    this.lastPlace = placeOf(snapshot);
    const refresh = trigger === 'explicit' && Date.now() < this.refreshUntil;
    const typed = trigger === 'automatic' || refresh ? this.fromPrediction(snapshot, settings) : undefined;
    if (typed) {
      this.stats.typedAhead++;
      this.log.debug(`${snapshot.path}: typed ahead, served from the last prediction with no model run`);
      return { ...answerOf(typed), cancelled: false, source: 'typed-ahead' };
    }
    // The editor re-asking after a growth is not the user asking: where the prediction no longer
    // applies (a key typed meanwhile) it is that keystroke's request, not a full explicit run at
    // the chosen temperature, which would take long and show a different suggestion.
    if (refresh) trigger = 'automatic';
    // Idle: start at once; the next keystroke aborts this within one model run (small prefill
    // chunks). Busy (an earlier request still waits or runs): the user is typing, wait for a pause.
    const busy = this.unfinished > 0;
    this.unfinished++;
    try {
      const waits = busy && trigger !== 'explicit';
      // While it waits for a pause the prompt runs into the cache, so the request after the pause
      // finds it there (a paste, a jump: hundreds of new tokens); the next key aborts it within a run.
      const warming = waits ? this.prefillWhileWaiting(snapshot, settings, combined) : undefined;
      // A pause for this typist: a little longer than their recent gaps, at most the setting.
      const quiet = await sleep(waits ? this.rhythm.waitMs(settings.debounceMs) : 0, combined);
      warming?.abort();
      if (!quiet) return this.cancel(cancelled);
      return await this.run(snapshot, settings, trigger, combined, own, busy || trigger === 'explicit' ? 'paused' : 'typing');
    } finally {
      this.unfinished--;
      if (this.inFlight === own) this.inFlight = undefined;
    }
  }

  /** The model run of complete(), past its debounce. `pace` says whether a newer request is likely soon. */
  private async run(snapshot: DocumentSnapshot, settings: Settings, trigger: Trigger, combined: AbortSignal, own: AbortController, pace: 'typing' | 'paused'): Promise<CompletionAnswer> {
    const cancelled = { texts: [], cancelled: true };
    const ready = this.current.kind === 'ready' ? this.current : { ...this.current, kind: 'ready' as const };
    if (this.generating++ === 0) this.setState({ ...ready, kind: 'generating' });
    try {
      let prediction: Prediction | undefined;
      const onLookAhead = (text: string, grown: number) => {
        if (!prediction || this.prediction !== prediction || !text.startsWith(prediction.text.slice(0, prediction.shown))) return;
        const grew = grown > prediction.shown;
        this.prediction = prediction = { ...prediction, text, shown: Math.max(prediction.shown, grown) };
        if (grew) this.growEmitter.fire(prediction);
      };
      const options = { ...this.optionsFor(snapshot, settings, trigger), ...prefillFor(pace, this.rhythm.waitMs(settings.debounceMs)) };
      const result = await this.source.complete(snapshot, options, combined, onLookAhead);
      if (!result || combined.aborted) return this.cancel(cancelled);
      const t = result.timings;
      this.stats.lastPromptTokens = result.promptTokenIds.length;
      this.stats.lastCachedTokens = t.cachedTokens ?? 0;
      this.log.info(
        `${snapshot.path}: ${result.promptTokenIds.length} prompt tokens (${t.cachedTokens ?? 0} cached), ${t.newTokens} new in ${t.totalMs} ms (prefill ${t.prefillMs} ms, decode ${t.decodeMs} ms), stop ${result.completions.map((c) => c.stopReason).join(',') || 'none'}, mean log-probability ${result.completions.map((c) => c.meanLogprob?.toFixed(2) ?? '-').join(',') || '-'}`,
      );
      // Best first by the model's confidence; with the gate on, the unsure ones are not shown.
      const ranked = rankCompletions(result.completions, settings.confidenceGate ? settings.confidenceThreshold : undefined);
      if (ranked.length < result.completions.length) {
        this.log.info(`${snapshot.path}: ${result.completions.length - ranked.length} of ${result.completions.length} hidden by the confidence gate (mean log-probability below ${settings.confidenceThreshold})`);
      }
      const first = ranked[0];
      this.prediction = prediction = first ? predictionAt(snapshot, first.text) : undefined;
      this.refreshUntil = 0;
      return { ...answerOf(suggestAll(ranked.map((c) => c.text), snapshot, settings.lineMode, this.fim)), cancelled: false, source: 'model' };
    } catch (err) {
      const message = describeCause(err);
      this.log.error(`completion failed for ${snapshot.path}: ${message}`);
      // A model that fails to run (say CUDA failing mid-session) will fail again: say so once and stop asking.
      if (err instanceof GhostwriterError && err.code === 'inference-failed') this.fail(`${message} Reload the model or choose another; the log has details.`);
      return { texts: [], cancelled: false };
    } finally {
      if (this.inFlight === own) this.inFlight = undefined;
      // The state as it is now (a reload after an idle unload changed it), back to ready.
      if (--this.generating === 0 && this.current.kind === 'generating') this.setState({ ...this.current, kind: 'ready' });
    }
  }

  /**
   * Runs the prompt at this place into the KV cache, so the first suggestion there does not pay
   * for the whole prefix (a file opened, the cursor moved). Any completion supersedes it; with
   * `afterEdit` (a paste) it supersedes a request still under way, which asked about older text.
   */
  warm(snapshot: DocumentSnapshot, settings: Settings, afterEdit = false): void {
    // After a large edit (a paste) a request still under way asked about the text before it.
    const completing = this.inFlight !== undefined && this.inFlight !== this.warming && !afterEdit;
    const idle = this.current.kind === 'ready' || (afterEdit && this.current.kind === 'generating');
    // Where typing or accepting continued the suggestion (several accepted lines insert as much as
    // a paste), the look-ahead decoding past it is worth more than a warm-up: its cache is that
    // prompt already, and the next line shows from it at once.
    const accepted = this.prediction !== undefined && continuesPrediction(this.prediction, snapshot);
    const skip = !idle
      ? `the engine is ${this.current.kind}`
      : completing
        ? 'a request is under way'
        : accepted
          ? 'the text is the suggestion, accepted'
          : placeOf(snapshot) === this.lastPlace
            ? 'already warm here'
            : undefined;
    if (skip) return this.log.debug(`no warm-up at ${snapshot.path}: ${skip}`);
    // A newer place supersedes a warm-up still running (a file opened, then a paste into it).
    this.inFlight?.abort();
    this.lastPlace = placeOf(snapshot);
    const own = new AbortController();
    this.inFlight = this.warming = own;
    void this.prefillOnly(snapshot, settings, own.signal, 'warming').finally(() => {
      if (this.inFlight === own) this.inFlight = undefined;
      if (this.warming === own) this.warming = undefined;
    });
  }

  /** A prefill-only run of this request's prompt while it waits for a pause; aborted with it, or by the caller when the wait ends. */
  private prefillWhileWaiting(snapshot: DocumentSnapshot, settings: Settings, signal: AbortSignal): AbortController {
    const stop = new AbortController();
    void this.prefillOnly(snapshot, settings, AbortSignal.any([signal, stop.signal]), 'prefilling while waiting for a pause');
    return stop;
  }

  /** Runs the prompt at this place into the KV cache, in typing runs: the keystroke that follows supersedes it. */
  private async prefillOnly(snapshot: DocumentSnapshot, settings: Settings, signal: AbortSignal, what: string): Promise<void> {
    try {
      await this.source.complete(snapshot, { ...this.optionsFor(snapshot, settings), prefillOnly: true, ...prefillFor('typing', this.rhythm.waitMs(settings.debounceMs)) }, signal);
    } catch (err) {
      this.log.debug(`${what} ${snapshot.path} failed: ${describeCause(err)}`);
    }
  }

  /** The rest of the last prediction, cut and filtered for this place, when typing continued it. */
  private fromPrediction(snapshot: DocumentSnapshot, settings: Settings): Suggestion[] | undefined {
    const p = this.prediction;
    const rest = p && remainingPrediction(p, snapshot);
    if (!p || !rest) return undefined;
    // The same rules as a fresh answer: the newline stop replayed, then the filters.
    const items = suggestAll([rest], snapshot, settings.lineMode, this.fim);
    if (items.length > 0) return items;
    // Still inside the suggestion the user is typing: nothing left to show is the answer; a new
    // model run would put a different suggestion under their fingers.
    return cursorOffset(snapshot) - p.cursor < p.shown ? [] : undefined;
  }

  private cancel<T>(answer: T): T {
    this.stats.cancelled++;
    return answer;
  }

  dispose(): void {
    this.inFlight?.abort();
    this.loadAbort?.abort();
    this.growEmitter.dispose();
    this.stateEmitter.dispose();
  }

  /**
   * The editor asks again because the suggestion grew (onDidGrowSuggestion): that request is
   * answered from the prediction even though it comes as an explicit trigger.
   */
  refresh(): void {
    this.refreshUntil = Date.now() + REFRESH_WINDOW_MS;
  }

  /** Whether the prediction still applies at this place (the editor did not move away). */
  predicts(snapshot: DocumentSnapshot): boolean {
    return !!this.prediction && remainingPrediction(this.prediction, snapshot) !== undefined;
  }

  /**
   * An automatic trigger answers early, after about `earlyDecodeMs` of decoding; the rest of
   * the suggestion comes from the look-ahead and grows it in place. An explicit one decodes all.
   */
  private optionsFor(snapshot: DocumentSnapshot, given: Settings, trigger: Trigger = 'automatic'): CompletionOptions {
    const { msPerToken, prefillMsPerToken } = this.current;
    const settings = tuned(given, msPerToken && prefillMsPerToken ? { msPerToken, prefillMsPerToken } : undefined);
    const newline = newlinePolicy(snapshot, settings.lineMode, this.fim);
    const context = requestContext(snapshot, settings.lineMode);
    // A block may grow to more tokens than a line (src/core/completion/blockBudget.ts).
    const budget = tokenBudget(settings.maxNewTokens, newline, context.followBlock === true);
    const early = trigger === 'automatic' && msPerToken ? Math.min(settings.maxNewTokens, Math.max(4, Math.floor(this.earlyDecodeMs / msPerToken))) : budget;
    return {
      growTo: budget,
      lookAheadTokens: budget - early + LOOK_AHEAD_TOKENS,
      // Typing gets one candidate at a low temperature; an explicit trigger (and cycling, which
      // asks explicitly) samples the alternatives at the chosen one, sharing the prompt's cache.
      temperature: trigger === 'explicit' ? settings.temperature : Math.min(settings.temperature, AUTOMATIC_MAX_TEMPERATURE),
      topK: settings.topK,
      topP: settings.topP,
      repetitionPenalty: settings.repetitionPenalty,
      maxNewTokens: early,
      // And, however slow the steps are today (a busy editor on the same cores), by this time.
      ...(trigger === 'automatic' ? { answerAfterMs: EARLY_ANSWER_MS } : {}),
      contextTokens: settings.contextTokens,
      suffixShare: settings.suffixShare,
      timeoutMs: settings.timeoutMs,
      newline,
      // The stops while decoding read the place (and post-processing replays them).
      context,
      numReturnSequences: trigger === 'explicit' && settings.temperature > 0 ? settings.alternatives : 1,
      // The same context gives the same suggestion: no flicker when VS Code asks again.
      seed: contextSeed(snapshot),
    };
  }

  private setState(state: EngineState): EngineState {
    this.current = state;
    this.stateEmitter.fire(state);
    return state;
  }
}

/**
 * The policy the decoder stops by (src/core/completion/completionPolicy.ts decides): 'auto' completes the
 * line, or offers a block where the code around the cursor opens one.
 */
export function newlinePolicy(snapshot: DocumentSnapshot, mode: Settings['lineMode'], fim = false): NewlinePolicy {
  return decide(snapshot, mode, fim) ?? 'singleLine';
}

function answerOf(items: readonly Suggestion[]): { texts: string[]; replaceSuffixChars: number[] } {
  return { texts: items.map((s) => s.text), replaceSuffixChars: items.map((s) => s.replaceSuffixChars) };
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

/** A state without what was said about an earlier load or unload. */
function withoutNotes(state: EngineState): EngineState {
  const { failedModel: _f, idleUnloaded: _i, message: _m, errorCode: _e, ...rest } = state;
  return rest;
}

/** Decoding time before an automatic trigger answers (about a 150 ms wait); the look-ahead goes on from there. */
const EARLY_DECODE_MS = 150;
/** Tokens the look-ahead decodes past the full suggestion, for typing on past it. */
const LOOK_AHEAD_TOKENS = 24;
/** An automatic trigger is answered this long after the request reached the process, with what is decoded by then (at least two tokens). */
const EARLY_ANSWER_MS = 60;
/** Prompt tokens per model run when a keystroke may supersede the request: each run is an abort point (~60 ms of GPT-2-small int8 on 2 cores). */
const TYPING_PREFILL_CHUNK = 64;
/** When the user paused (or asked): fewer, larger runs. */
const PAUSED_PREFILL_CHUNK = 512;
/** The shortest run a typing-pace prefill grows to, when the debounce is shorter (or off). */
const MIN_TYPING_RUN_MS = 60;

/**
 * Prefill runs for a pace. Typing: start at TYPING_PREFILL_CHUNK and grow while a run stays within
 * `pauseWaitMs`, the wait for a pause (typingRhythm.ts), since a request that supersedes this one
 * waits that long anyway before it starts.
 */
export function prefillFor(pace: 'typing' | 'paused', pauseWaitMs: number): Pick<CompletionOptions, 'prefillChunk' | 'prefillRunMs'> {
  if (pace === 'paused') return { prefillChunk: PAUSED_PREFILL_CHUNK };
  return { prefillChunk: TYPING_PREFILL_CHUNK, prefillRunMs: Math.max(MIN_TYPING_RUN_MS, pauseWaitMs) };
}
/** How long after a growth the editor's re-asking (an explicit trigger) is served from the prediction. */
const REFRESH_WINDOW_MS = 1000;

const placeOf = (s: DocumentSnapshot) => `${s.path}|${cursorOffset(s)}|${s.version}`;

/** The settings a load depends on. */
function loadKeyOf(settings: Settings): string {
  // Turning one language on or off does not reload the model; turning all of them off does.
  return JSON.stringify(RELOAD_KEYS.map((k) => (k === 'enable' ? enabledAnywhere(settings.enable) : settings[k])));
}

/** FNV-1a over the text near the cursor. */
function contextSeed(snapshot: DocumentSnapshot): number {
  const text = snapshot.prefix.slice(-2000) + '\u0000' + currentLine(snapshot).after;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
