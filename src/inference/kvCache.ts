// The past keys/values of one sequence. Immutable: a step returns a new cache, so several
// continuations can share one prefilled prompt (num-return-sequences) without copying.
import type { Tensor } from 'onnxruntime-node';

export interface LayerKv {
  readonly key: Tensor;
  readonly value: Tensor;
}

export interface KvCache {
  /** The tokens whose keys/values are held, in order; later: longest-common-prefix reuse. */
  readonly tokens: readonly number[];
  readonly layers: readonly LayerKv[];
}

export function cachedLength(cache: KvCache): number {
  return cache.tokens.length;
}

/** Length of the longest common prefix of the cached tokens and `ids`. */
export function commonPrefixLength(cache: KvCache, ids: readonly number[]): number {
  const n = Math.min(cache.tokens.length, ids.length);
  let i = 0;
  while (i < n && cache.tokens[i] === ids[i]) i++;
  return i;
}
