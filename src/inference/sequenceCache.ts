// The KV state of one token sequence in buffers the engine owns: one per cached tensor (a key
// and a value per GPT-2 layer), sequence-outer ([tokens, channels]), so the valid part is a
// prefix and goes to ONNX Runtime as a view, never copied. Grown geometrically; truncating
// (backspace, a shared prefix with the next request) is free.
import type { KvSlot } from './onnx/rewrite';

export type KvDtype = 'float32' | 'float16';
/** float16 values are kept as their raw 16-bit patterns. */
export type KvArray = Float32Array | Uint16Array;

export interface CacheLayout {
  readonly slots: readonly KvSlot[];
  readonly dtype: KvDtype;
}

const INITIAL_CAPACITY = 64;
/** Capacity grows by half again: amortised O(1) appends, at most a third of the buffer unused. */
const GROWTH = 1.5;

export const channelsOf = (slot: KvSlot): number => slot.heads * slot.headDim;

/** Bytes one token's keys and values take in this layout. */
export const bytesPerToken = (layout: CacheLayout): number => layout.slots.reduce((sum, s) => sum + channelsOf(s), 0) * (layout.dtype === 'float16' ? 2 : 4);

export class SequenceCache {
  private ids: number[] = [];
  private buffers: KvArray[];
  private capacity: number;

  constructor(
    readonly layout: CacheLayout,
    /** Never more tokens than the model's positions. */
    private readonly maxTokens: number,
  ) {
    this.capacity = Math.min(INITIAL_CAPACITY, maxTokens);
    this.buffers = layout.slots.map((s) => this.alloc(this.capacity * channelsOf(s)));
  }

  get tokens(): readonly number[] {
    return this.ids;
  }

  get length(): number {
    return this.ids.length;
  }

  /** Bytes held, capacity included: what the pool's budget counts. */
  get bytes(): number {
    return this.capacity * bytesPerToken(this.layout);
  }

  /** The valid [length, channels] region of slot i: a view, valid until the next append. */
  view(i: number): KvArray {
    return this.buffers[i].subarray(0, this.ids.length * channelsOf(this.layout.slots[i]));
  }

  /** Appends the new tokens' keys/values, one [ids.length, channels] array per slot. */
  append(ids: readonly number[], data: readonly KvArray[]): void {
    const next = this.ids.length + ids.length;
    if (next > this.maxTokens) throw new Error(`cache of ${next} tokens exceeds ${this.maxTokens}`);
    this.reserve(next);
    this.layout.slots.forEach((slot, i) => {
      const width = channelsOf(slot);
      if (data[i].length !== ids.length * width) throw new Error(`slot ${i}: ${data[i].length} values for ${ids.length} tokens of ${width}`);
      (this.buffers[i] as Float32Array).set(data[i] as Float32Array, this.ids.length * width);
    });
    for (const id of ids) this.ids.push(id);
  }

  /** Keeps the first n tokens. */
  truncate(n: number): void {
    if (n < this.ids.length) this.ids.length = Math.max(0, n);
  }

  /** Length of the longest common prefix of the cached tokens and `ids`. */
  commonPrefix(ids: readonly number[]): number {
    const n = Math.min(ids.length, this.ids.length);
    let i = 0;
    while (i < n && ids[i] === this.ids[i]) i++;
    return i;
  }

  /**
   * Room for `tokens` (at most the model's positions) in one allocation: a request reserves what
   * its prompt, new tokens and look-ahead will hold, so the state is not grown (and copied)
   * through every size on the way, each superseded buffer held until V8 collects it. It grows by
   * half again at least, so a request that needs a token more than the last copies rarely.
   */
  reserve(tokens: number): void {
    if (tokens <= this.capacity || this.capacity >= this.maxTokens) return;
    const capacity = Math.min(Math.max(tokens, Math.ceil(this.capacity * GROWTH)), this.maxTokens);
    this.buffers = this.buffers.map((old, i) => {
      const grown = this.alloc(capacity * channelsOf(this.layout.slots[i]));
      (grown as Float32Array).set((old as Float32Array).subarray(0, this.ids.length * channelsOf(this.layout.slots[i])));
      return grown;
    });
    this.capacity = capacity;
  }

  private alloc(n: number): KvArray {
    return this.layout.dtype === 'float16' ? new Uint16Array(n) : new Float32Array(n);
  }
}
