// Picks where a completion comes from: the server while its circuit is closed, else the local
// model when one is chosen (and says so: the status bar and the log), else nothing. A request
// the server fails is answered by the local model at once when there is one — the same request,
// not a retry of a stale one — and the circuit (src/core/remote/health.ts) keeps the next ones
// local until a probe finds the server back.
import type { CompletionSource } from '../completionSource';
import { describeCause } from '../errors';
import { Emitter } from '../events';
import type { Logger } from '../logger';
import type { CompletionOptions, CompletionResult } from '../protocol';
import type { DocumentSnapshot } from '../snapshot';
import type { HealthState } from './health';
import type { RemoteSource } from './remoteSource';

export interface RouteState {
  /** 'server': the server answers; 'local-fallback': the server is down or busy, the local model answers; 'none': the server is down and no local model is chosen; 'local': no server set. */
  readonly route: 'server' | 'local-fallback' | 'none' | 'local';
  readonly server?: string;
  readonly health?: HealthState;
}

export class CompletionRouter implements CompletionSource {
  private active: RemoteSource | undefined;
  private serverSub: { dispose(): void } | undefined;
  private readonly emitter = new Emitter<RouteState>();
  readonly onDidChange = this.emitter.event;
  private last: RouteState = { route: 'local' };

  constructor(
    private readonly local: CompletionSource,
    /** Whether a local model is chosen (the fallback exists). */
    private readonly hasLocal: () => boolean,
    private readonly log: Logger,
  ) {}

  /** The server to use, or undefined for the local model only; the old one is disposed (its stream closed). */
  setServer(server: RemoteSource | undefined): void {
    this.serverSub?.dispose();
    this.active?.dispose();
    this.active = server;
    this.serverSub = server?.health.onDidChange(() => this.update());
    if (server) void server.health.check();
    this.update();
  }

  get server(): string | undefined {
    return this.active?.name;
  }

  get serverSource(): RemoteSource | undefined {
    return this.active;
  }

  get state(): RouteState {
    return this.last;
  }

  /** The server's name and FIM while it answers; undefined while the local model does. */
  get remote(): { name: string; fim: boolean } | undefined {
    return this.active && this.active.health.allows ? this.active.remote : undefined;
  }

  async complete(snapshot: DocumentSnapshot, options: CompletionOptions, signal: AbortSignal, onLookAhead?: (text: string, grown: number) => void): Promise<CompletionResult | undefined> {
    const server = this.active;
    if (!server || !server.health.allows) return this.hasLocal() ? this.local.complete(snapshot, options, signal, onLookAhead) : undefined;
    try {
      const result = await server.complete(snapshot, options, signal, onLookAhead);
      if (result) server.health.succeeded();
      return result;
    } catch (err) {
      if (signal.aborted) return undefined;
      this.update();
      if (server.health.allows || !this.hasLocal()) throw err;
      this.log.warn(`${describeCause(err)} The local model answers until the server is back.`);
      return this.local.complete(snapshot, options, signal, onLookAhead);
    }
  }

  dispose(): void {
    this.setServer(undefined);
    this.emitter.dispose();
  }

  private update(): void {
    const server = this.active;
    const next: RouteState = !server
      ? { route: 'local' }
      : { route: server.health.allows ? 'server' : this.hasLocal() ? 'local-fallback' : 'none', server: server.name, health: server.health.state };
    const changed = next.route !== this.last.route || next.health?.kind !== this.last.health?.kind || next.health?.message !== this.last.health?.message;
    this.last = next;
    if (!changed) return;
    if (next.route === 'local-fallback') this.log.warn(`${next.server} is ${next.health?.kind}${next.health?.message ? ` (${next.health.message})` : ''}: suggestions come from the local model until it is back`);
    else if (next.route === 'none') this.log.warn(`${next.server} is ${next.health?.kind}${next.health?.message ? ` (${next.health.message})` : ''} and no local model is chosen: no suggestions until it is back`);
    else if (next.route === 'server' && next.health?.kind === 'up') this.log.info(`${next.server} answers`);
    this.emitter.fire(next);
  }
}
