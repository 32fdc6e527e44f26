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
