// The server's health as a circuit breaker: requests go to the server while it is up (or not yet
// known); a failure that says the server itself is the problem (unreachable, 5xx, a refused
// key, an unknown model) opens the circuit, and a 429/503 opens it for the time the server asked
// (Retry-After) or the back-off. While it is open, requests go to the local model (src/core/remote/router.ts)
// and a probe (the dialect's health route) runs at the back-off's pace, doubling up to a bound;
// the first probe that succeeds closes the circuit. No completion is ever retried: by the time
// the server is back, the user has typed on, and the next keystroke asks anew.
import { describeCause, GhostwriterError } from '../errors';
import { Emitter } from '../events';
import type { Logger } from '../logger';

export type HealthKind = 'unknown' | 'up' | 'busy' | 'down';

export interface HealthState {
  readonly kind: HealthKind;
  /** Why it is busy or down, in the engine's words when it gave some. */
  readonly message?: string;
}

export interface HealthOptions {
  /** The first back-off; it doubles per failed probe up to maxDelayMs. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export const BASE_DELAY_MS = 2_000;
/** The longest wait between probes of a server that stays down (bounded, so it is noticed back within a minute). */
export const MAX_DELAY_MS = 60_000;

export class ServerHealth {
  private current: HealthState = { kind: 'unknown' };
  private readonly emitter = new Emitter<HealthState>();
  readonly onDidChange = this.emitter.event;
  private delay: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private probing = false;
  private disposed = false;
  private readonly base: number;
  private readonly max: number;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly log: Logger,
    options: HealthOptions = {},
  ) {
    this.base = options.baseDelayMs ?? BASE_DELAY_MS;
    this.max = options.maxDelayMs ?? MAX_DELAY_MS;
    this.delay = this.base;
  }

  get state(): HealthState {
    return this.current;
  }

  /** Whether a completion may go to the server now (the circuit is closed or not yet tested). */
  get allows(): boolean {
    return this.current.kind === 'up' || this.current.kind === 'unknown';
  }

  /** Probes now (at start, and when the settings change). */
  check(): Promise<void> {
    return this.runProbe();
  }

  succeeded(): void {
    this.delay = this.base;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current.kind !== 'up') this.set({ kind: 'up' });
  }

  /** A request or a probe failed: opens the circuit when the failure is the server's, else leaves it. */
  failed(err: unknown, retryAfterMs?: number): void {
    const code = err instanceof GhostwriterError ? err.code : undefined;
    if (code === 'cancelled' || code === undefined || !OPENS.has(code)) return;
    const message = describeCause(err);
    const busy = code === 'remote-busy';
    const wait = busy && retryAfterMs !== undefined ? Math.min(this.max, Math.max(this.base, retryAfterMs)) : this.delay;
    this.delay = Math.min(this.max, this.delay * 2);
    if (this.current.kind !== (busy ? 'busy' : 'down') || this.current.message !== message) this.set({ kind: busy ? 'busy' : 'down', message });
    this.schedule(wait);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.emitter.dispose();
  }

  private schedule(ms: number): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.log.info(`next health probe in ${Math.round(ms)} ms`);
    this.timer = setTimeout(() => void this.runProbe(), ms);
    this.timer.unref?.();
  }

  private async runProbe(): Promise<void> {
    if (this.probing || this.disposed) return;
    this.probing = true;
    try {
      await this.probe();
      this.succeeded();
    } catch (err) {
      this.log.debug(`health probe failed: ${describeCause(err)}`);
      this.failed(...refused(err));
    } finally {
      this.probing = false;
    }
  }

  private set(state: HealthState): void {
    this.current = state;
    if (!this.disposed) this.emitter.fire(state);
  }
}

/** The server refused (a probe or a request) with the Retry-After it came with. */
export class ProbeError extends Error {
  constructor(
    readonly error: GhostwriterError,
    readonly retryAfterMs?: number,
  ) {
    super(error.message, { cause: error });
  }
}

/** What failed.failed() takes: a refusal's error and Retry-After, or the error as it is. */
export function refused(err: unknown): [unknown, number | undefined] {
  return err instanceof ProbeError ? [err.error, err.retryAfterMs] : [err, undefined];
}

/** Failures that say the server (not this one request) is the problem. */
const OPENS: ReadonlySet<string> = new Set(['remote-unreachable', 'remote-busy', 'remote-unauthorized', 'remote-down']);
