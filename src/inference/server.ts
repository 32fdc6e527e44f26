// The inference process's request handling, separate from process wiring so tests can drive it.
// One request runs at a time; an abort is honoured between generation steps.
import { toErrorData } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Request, Response } from '../core/protocol';
import { InferenceEngine } from './engine';
import type { SessionFactory } from './session';

export class InferenceServer {
  private engine: InferenceEngine | undefined;
  private readonly aborts = new Map<number, AbortController>();
  /** Serialises requests: each waits for the one before it. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (response: Response) => void,
    private readonly log: Logger,
    private readonly factory?: SessionFactory,
  ) {}

  handle(request: Request): void {
    if (request.type === 'abort') {
      this.aborts.get(request.id)?.abort();
      return;
    }
    const controller = new AbortController();
    this.aborts.set(request.id, controller);
    this.queue = this.queue.then(() => this.run(request, controller.signal)).finally(() => this.aborts.delete(request.id));
  }

  private async run(request: Exclude<Request, { type: 'abort' }>, signal: AbortSignal): Promise<void> {
    try {
      if (request.type === 'load') {
        await this.unload();
        this.engine = await InferenceEngine.load(request.options, this.log, this.factory);
        this.send({ type: 'loaded', id: request.id, info: this.engine.info });
      } else {
        if (signal.aborted) return this.send({ type: 'aborted', id: request.id });
        if (!this.engine) {
          return this.send({ type: 'error', id: request.id, error: { code: 'not-loaded', message: 'No model is loaded.' } });
        }
        const result = await this.engine.complete(request.snapshot, request.options, signal);
        this.send(signal.aborted ? { type: 'aborted', id: request.id } : { type: 'completed', id: request.id, result });
      }
    } catch (err) {
      this.send({ type: 'error', id: request.id, error: toErrorData(err) });
    }
  }

  private async unload(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.release();
  }
}
