// Completions from a server, into the same pipeline as the local model's. The request streams;
// the stops that read the place (src/core/completion/stops/) run on the text as it arrives and,
// when one fires, the connection is closed (every engine here stops generating on a closed
// connection). The answer comes early, after `maxNewTokens` streamed pieces (the local engine's
// early answer), and the rest of the stream is the look-ahead that grows it, up to `growTo`.
// The deadline (timeoutMs) answers with what arrived and closes the connection. A newer request
// closes the older one's connection (latest wins), and so does its AbortSignal.
import { firstCut, requestStops } from '../completion/stops';
import type { CompletionSource } from '../completionSource';
import { describeCause, GhostwriterError } from '../errors';
import type { Logger } from '../logger';
import type { CompletionOptions, CompletionResult } from '../protocol';
import type { DocumentSnapshot } from '../snapshot';
import type { Dialect, RemoteInput } from './dialect';
import { FIM_TEMPLATES, templateForModelName, type FimTemplateName } from './fimTemplates';
import { ProbeError, refused, ServerHealth, type HealthOptions } from './health';
import { getText, HEADERS_TIMEOUT_MS, postStream, readText, type OpenResponse, type ServerTarget } from './http';
import { remotePrompt } from './remotePrompt';
import { decoderFor } from './stream';

export interface RemoteConfig extends ServerTarget {
  readonly dialect: Dialect;
  /** The model name the server knows ('' where the server serves one model and needs no name). */
  readonly model: string;
  /** 'auto': from the tokenizer when known (`tokenizerTemplate`), else from the model's name. */
  readonly fimTemplate: FimTemplateName | 'auto';
  /** What the model's own tokenizer files say (src/vscode/remoteTokenizer.ts), when they were read. */
  readonly tokenizerTemplate?: FimTemplateName;
}

/** Streamed pieces after which a stream that sent nothing useful is abandoned: a bound on a runaway server. */
const MAX_EVENTS = 4096;

export class RemoteSource implements CompletionSource {
  readonly health: ServerHealth;
  /** The request streaming now: a newer one closes it. */
  private current: AbortController | undefined;
  /** llama.cpp answered 501 to /infill: this model has no FIM tokens; /completion with the client's prompt from now on. */
  private serverFimRefused = false;

  constructor(
    readonly config: RemoteConfig,
    private readonly log: Logger,
    health?: HealthOptions,
  ) {
    this.health = new ServerHealth(() => this.probe(), log, health);
  }

  get name(): string {
    return `${this.config.dialect.label}${this.config.model ? ` ${this.config.model}` : ''}`;
  }

  /** The FIM template the client lays out prompts with ('none': prefix only). */
  get template(): FimTemplateName {
    const c = this.config;
    if (c.fimTemplate !== 'auto') return c.fimTemplate;
    return c.tokenizerTemplate ?? templateForModelName(c.model);
  }

  /** The client lays out the FIM prompt: the engine has no server-side FIM, or a template was named. */
  private get clientFim(): boolean {
    return !this.config.dialect.serverFim || this.config.fimTemplate !== 'auto';
  }

  /** Whether the server sees the text after the cursor (server-side FIM, or a client template). */
  get fim(): boolean {
    if (this.serverFimRefused) return false;
    return this.clientFim ? this.template !== 'none' : true;
  }

  get remote(): { name: string; fim: boolean } {
    return { name: this.name, fim: this.fim };
  }

  async complete(snapshot: DocumentSnapshot, options: CompletionOptions, signal: AbortSignal, onLookAhead?: (text: string, grown: number) => void): Promise<CompletionResult | undefined> {
    // Latest wins: the older request's connection closes now, whatever it was doing.
    this.current?.abort();
    // Warming is the local KV cache's business: no code goes to the server for a cursor move.
    if (signal.aborted || options.prefillOnly) return undefined;
    const own = new AbortController();
    this.current = own;
    const combined = AbortSignal.any([signal, own.signal]);
    const started = performance.now();
    // The deadline holds before the answer starts too (a server slow to prefill): nothing to show, and not the server's failure.
    const late = new AbortController();
    const lateTimer = setTimeout(() => late.abort(), options.timeoutMs);
    try {
      const response = await this.open(snapshot, options, AbortSignal.any([combined, late.signal]));
      clearTimeout(lateTimer);
      if (!response) return undefined;
      return await this.stream(response, options, combined, own, started, onLookAhead);
    } catch (err) {
      if (late.signal.aborted && !combined.aborted) {
        this.log.info(`${this.name} sent nothing within ${options.timeoutMs} ms (ghostwriter.timeoutMs); the request was closed`);
        return { completions: [{ text: '', tokenIds: [], stopReason: 'deadline' }], promptTokenIds: [], timings: { tokenizeMs: 0, prefillMs: options.timeoutMs, decodeMs: 0, totalMs: Math.round(performance.now() - started), newTokens: 0 } };
      }
      if (combined.aborted || (err instanceof GhostwriterError && err.code === 'cancelled')) return undefined;
      const [error, retryAfterMs] = refused(err);
      this.health.failed(error, retryAfterMs);
      throw error;
    } finally {
      clearTimeout(lateTimer);
    }
  }

  /** Sends the request; a 2xx answer's response, else the engine's error as a typed error. */
  private async open(snapshot: DocumentSnapshot, options: CompletionOptions, signal: AbortSignal): Promise<OpenResponse | undefined> {
    const { dialect } = this.config;
    const clientFim = this.clientFim || this.serverFimRefused;
    const template = this.serverFimRefused ? 'none' : this.template;
    const input = this.input(snapshot, options, clientFim ? template : 'none', this.fim, clientFim);
    let request = dialect.request(input, this.serverFimRefused);
    // The deadline (timeoutMs) decides how long to wait for the first byte; the connection timeout only backs it up.
    const headersMs = options.timeoutMs + HEADERS_TIMEOUT_MS;
    let response = await postStream(this.config, request.path, request.body, signal, headersMs);
    if (dialect.refusesServerFim && !this.serverFimRefused && response.status >= 400) {
      const body = await readText(response.body).catch(() => '').finally(() => response.close());
      const message = dialect.errorMessage(response.status, body);
      if (!dialect.refusesServerFim(response.status, message)) throw new ProbeError(statusError(dialect, response.status, body, this.config.endpoint), response.retryAfterMs);
      this.serverFimRefused = true;
      this.log.warn(`${dialect.label} answered ${response.status} to ${request.path} ("${message}"): it lays out no fill-in-the-middle for this model; the text before the cursor goes alone from now on`);
      // The same request, sent again at once (not a retry of a stale one), as a prompt the client built.
      request = dialect.request(this.input(snapshot, options, 'none', false, true), true);
      response = await postStream(this.config, request.path, request.body, signal, headersMs);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const body = await readText(response.body).catch(() => '').finally(() => response.close());
    throw new ProbeError(statusError(dialect, response.status, body, this.config.endpoint), response.retryAfterMs);
  }

  private input(snapshot: DocumentSnapshot, options: CompletionOptions, template: FimTemplateName, withSuffix: boolean, clientFim: boolean): RemoteInput {
    const parts = remotePrompt(snapshot, options, template, withSuffix);
    const llama = this.config.dialect.backend === 'llama.cpp';
    return {
      model: this.config.model,
      prompt: parts.prompt,
      // llama.cpp takes the snippets as input_extra; the others read them as the prefix's start, as the local prompt has them.
      prefix: llama ? parts.prefix : parts.extraText + parts.prefix,
      suffix: parts.suffix,
      extra: parts.extra,
      clientFim: clientFim && template !== 'none',
      params: {
        maxTokens: options.growTo ?? options.maxNewTokens,
        temperature: options.temperature,
        topK: options.topK,
        topP: options.topP,
        repetitionPenalty: options.repetitionPenalty,
        stop: clientFim ? FIM_TEMPLATES[template].stops : [],
        seed: options.seed,
        deadlineMs: options.timeoutMs,
      },
    };
  }

  private stream(
    response: OpenResponse,
    options: CompletionOptions,
    signal: AbortSignal,
    own: AbortController,
    started: number,
    onLookAhead?: (text: string, grown: number) => void,
  ): Promise<CompletionResult | undefined> {
    const { dialect } = this.config;
    const stops = requestStops(options);
    const early = options.maxNewTokens;
    const budget = options.growTo ?? options.maxNewTokens;
    let text = '';
    let events = 0;
    let firstAt: number | undefined;
    let answered = false;
    let ended: { cutAt: number; reason: string } | undefined;
    return new Promise<CompletionResult | undefined>((resolve, reject) => {
      const result = (reason: string): CompletionResult => {
        const cut = ended ? text.slice(0, ended.cutAt) : text;
        const now = performance.now();
        return {
          completions: [{ text: cut, tokenIds: [], stopReason: ended?.reason ?? reason }],
          promptTokenIds: [],
          timings: { tokenizeMs: 0, prefillMs: Math.round((firstAt ?? now) - started), decodeMs: Math.round(now - (firstAt ?? now)), totalMs: Math.round(now - started), newTokens: events },
        };
      };
      const answer = (reason: string) => {
        if (answered) return;
        answered = true;
        resolve(result(reason));
      };
      const finish = (reason: string) => {
        clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
        response.close();
        if (this.current === own) this.current = undefined;
        if (!answered) answer(reason);
        else onLookAhead?.(text, ended ? ended.cutAt : text.length);
      };
      const onAbort = () => {
        clearTimeout(deadline);
        response.close();
        if (!answered) {
          answered = true;
          resolve(undefined);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // The deadline holds as it does locally: what arrived is the answer, the connection closes.
      const deadline = setTimeout(() => finish('deadline'), Math.max(0, options.timeoutMs - (performance.now() - started)));
      const decoder = decoderFor(dialect.framing);
      const take = (datas: readonly string[]): boolean => {
        for (const data of datas) {
          const event = dialect.parse(data);
          if (event.error !== undefined) {
            const error = new GhostwriterError('remote-failed', `${dialect.label}: ${event.error}`);
            if (!answered) {
              answered = true;
              clearTimeout(deadline);
              response.close();
              reject(error);
            } else {
              this.log.warn(`${error.message} (after the answer; the look-ahead ends)`);
              finish('error');
            }
            return false;
          }
          if (event.text) {
            firstAt ??= performance.now();
            text += event.text;
            events++;
            const fired = firstCut(stops, text);
            if (fired) {
              ended = fired;
              finish(fired.reason);
              return false;
            }
            if (!answered && events >= early) answer('early');
            else if (answered) onLookAhead?.(text, text.length);
          }
          if (event.done || events >= budget || events >= MAX_EVENTS) {
            finish(event.done ? 'eos' : 'length');
            return false;
          }
        }
        return true;
      };
      response.body.on('data', (chunk: Buffer) => {
        if (!take(decoder.push(chunk))) response.body.removeAllListeners('data');
      });
      response.body.on('end', () => {
        if (take(decoder.end())) finish('eos');
      });
      response.body.on('error', (err) => {
        if (signal.aborted || answered) return finish('closed');
        clearTimeout(deadline);
        answered = true;
        reject(new GhostwriterError('remote-unreachable', `${dialect.label}: the stream broke: ${describeCause(err)}`, { cause: err }));
      });
      response.body.on('close', () => {
        if (!response.body.readableEnded && !answered && !signal.aborted) {
          clearTimeout(deadline);
          answered = true;
          reject(new GhostwriterError('remote-unreachable', `${dialect.label}: the connection closed in the middle of the stream`));
        }
      });
    });
  }

  /** The dialect's health route answers 2xx. */
  private async probe(): Promise<void> {
    const { dialect } = this.config;
    let res;
    try {
      res = await getText(this.config, dialect.healthPath);
    } catch (err) {
      throw new ProbeError(err instanceof GhostwriterError ? err : new GhostwriterError('remote-unreachable', describeCause(err), { cause: err }));
    }
    if (res.status < 200 || res.status >= 300) throw new ProbeError(statusError(dialect, res.status, res.text, this.config.endpoint), res.retryAfterMs);
  }

  /** The models the server lists (Choose Model shows them next to the catalog). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const { dialect } = this.config;
    const res = await getText(this.config, dialect.modelsPath, signal);
    if (res.status < 200 || res.status >= 300) throw statusError(dialect, res.status, res.text, this.config.endpoint);
    try {
      return dialect.parseModels(JSON.parse(res.text));
    } catch (err) {
      throw new GhostwriterError('remote-failed', `${dialect.label} listed its models in a form this dialect does not know.`, { cause: err });
    }
  }

  dispose(): void {
    this.current?.abort();
    this.health.dispose();
  }
}

/** A non-2xx answer as a typed error with the engine's own message. */
export function statusError(dialect: Dialect, status: number, body: string, endpoint: string): GhostwriterError {
  const said = dialect.errorMessage(status, body) || `HTTP ${status}`;
  const where = `${dialect.label} at ${endpoint}`;
  if (status === 401 || status === 403) return new GhostwriterError('remote-unauthorized', `${where} refused the API key (${status}: ${said}). Set it with "Ghostwriter: Set Server API Key".`);
  if (status === 429 || status === 503) return new GhostwriterError('remote-busy', `${where} is busy (${status}: ${said}).`);
  if (status === 404 || status >= 500) return new GhostwriterError('remote-down', `${where} cannot serve completions (${status}: ${said}).`);
  return new GhostwriterError('remote-failed', `${where} refused the request (${status}: ${said}).`);
}
