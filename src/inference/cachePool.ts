// The KV states of recent requests, within a memory budget. A new prompt takes the state that
// shares the longest token prefix with it (another keystroke in the same file shares nearly all
// of it), truncated to that prefix; what is left over is evicted least recently used first.
import type { Logger } from '../core/logger';
import type { SequenceCache } from './sequenceCache';

export interface Acquired {
  readonly cache: SequenceCache;
  /** Prompt tokens whose state is already in the cache. */
  readonly reused: number;
}

/** At most this many states, whatever the budget: each is one recently used document or place. */
const MAX_STATES = 4;

export class CachePool {
  /** Most recently used last. */
  private states: SequenceCache[] = [];

  constructor(
    private readonly create: () => SequenceCache,
    /** Bytes of KV buffers kept across requests. */
    readonly budgetBytes: number,
    private readonly log: Logger,
  ) {}

  /**
   * The state to run `ids` in. At least the last prompt token is always run again: its logits
   * are what the next token is sampled from, and a partly typed word may have re-tokenized.
   */
  acquire(ids: readonly number[]): Acquired {
    let best: SequenceCache | undefined;
    let bestLen = 0;
    for (const s of this.states) {
      const n = s.commonPrefix(ids);
      if (n > bestLen) [best, bestLen] = [s, n];
    }
    const reused = Math.min(bestLen, ids.length - 1);
    let cache = best;
    if (!cache || reused === 0) cache = this.states.length >= MAX_STATES ? this.states[0] : this.create();
    cache.truncate(cache === best ? reused : 0);
    this.touch(cache);
    return { cache, reused: cache === best ? reused : 0 };
  }

  /** Called after a request grew its state: keeps the pool within budget. */
  trim(): void {
    let total = this.bytes;
    while (this.states.length > 1 && total > this.budgetBytes) {
      const evicted = this.states.shift()!;
      total -= evicted.bytes;
      this.log.debug(`KV pool over its ${mb(this.budgetBytes)} budget: dropped a state of ${evicted.length} tokens (${mb(evicted.bytes)})`);
    }
  }

  /** Forgets every state (a cold request, or the model goes away). */
  clear(): void {
    this.states = [];
  }

  get size(): number {
    return this.states.length;
  }

  /** Bytes of KV buffers the states hold, capacity included. */
  get bytes(): number {
    return this.states.reduce((sum, s) => sum + s.bytes, 0);
  }

  private touch(cache: SequenceCache): void {
    this.states = this.states.filter((s) => s !== cache);
    this.states.push(cache);
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
