// The inference process's request handling, separate from process wiring so tests can drive it.
// One job runs at a time. Latest wins: a new completion aborts the ones before it (their work
// stays in the KV cache for it to reuse) and the background look-ahead.
import { toErrorData } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Request, Response } from '../core/protocol';
import { InferenceEngine } from './engine';
import type { PrepareOptions, SessionFactory } from './session';

type Job = Exclude<Request, { type: 'abort' }>;

export class InferenceServer {
  private engine: InferenceEngine | undefined;
  private readonly aborts = new Map<number, { controller: AbortController; type: Job['type'] }>();
  private lookAheadAbort: AbortController | undefined;
  /** Jobs queued or running; the look-ahead runs only when nothing else waits. */
  private waiting = 0;
  /** Serialises jobs: each waits for the one before it. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (response: Response) => void,
    private readonly log: Logger,
    private readonly factory?: SessionFactory,
    private readonly prepare: PrepareOptions = {},
  ) {}

  handle(request: Request): void {
    if (request.type === 'abort') {
      this.aborts.get(request.id)?.controller.abort();
      return;
    }
    this.lookAheadAbort?.abort();
    if (request.type === 'complete') {
      for (const job of this.aborts.values()) if (job.type === 'complete') job.controller.abort();
    }
    const controller = new AbortController();
    this.aborts.set(request.id, { controller, type: request.type });
    this.waiting++;
    this.queue = this.queue
      .then(() => this.run(request, controller.signal))
      .finally(() => {
        this.waiting--;
        this.aborts.delete(request.id);
      });
  }

  private async run(request: Job, signal: AbortSignal): Promise<void> {
    try {
      if (request.type === 'load') {
        // The new model loads beside the one serving, which is released only once the new one works:
        // a model that fails to load (corrupt graph, bad tokenizer or config) leaves the old one serving.
        // The cost is both in memory for the moment of the switch.
        const next = await InferenceEngine.load({ ...request.options, ...this.prepare, cacheDir: request.options.cacheDir ?? this.prepare.cacheDir }, this.log, this.factory);
        await this.unload();
        this.engine = next;
        this.send({ type: 'loaded', id: request.id, info: this.engine.info });
        return;
      }
      if (signal.aborted) return this.send({ type: 'aborted', id: request.id });
      if (!this.engine) {
        return this.send({ type: 'error', id: request.id, error: { code: 'not-loaded', message: 'No model is loaded.' } });
      }
      const result = await this.engine.complete(request.snapshot, request.options, signal, () => this.send({ type: 'first-token', id: request.id }));
      this.send(signal.aborted ? { type: 'aborted', id: request.id } : { type: 'completed', id: request.id, result });
      if (!signal.aborted && result.completions.length > 0) await this.lookAhead(request.id);
    } catch (err) {
      this.send({ type: 'error', id: request.id, error: toErrorData(err) });
    }
  }

  /** Decodes on past the answer while the process is idle; any new request stops it. */
  private async lookAhead(id: number): Promise<void> {
    if (!this.engine || this.waiting > 1) return;
    const controller = new AbortController();
    this.lookAheadAbort = controller;
    try {
      await this.engine.lookAhead(controller.signal, (text, grown) => this.send({ type: 'lookahead', id, text, grown }));
    } finally {
      if (this.lookAheadAbort === controller) this.lookAheadAbort = undefined;
    }
  }

  private async unload(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.release();
  }
}
