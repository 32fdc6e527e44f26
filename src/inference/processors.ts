// Logits processors: (ids, logits) -> logits, applied in order before sampling.
// Each returns a new array (or the same one untouched) so a caller's logits are never changed.

export type LogitsProcessor = (ids: readonly number[], logits: Float32Array) => Float32Array;

export interface SamplingParams {
  /** 0 = greedy. */
  readonly temperature: number;
  /** 0 = off. */
  readonly topK: number;
  /** 1 = off. */
  readonly topP: number;
  /** 1 = off. */
  readonly repetitionPenalty: number;
}

/** CTRL-style penalty: tokens already in the sequence become less likely. */
export function repetitionPenalty(penalty: number): LogitsProcessor {
  return (ids, logits) => {
    if (penalty === 1 || ids.length === 0) return logits;
    const out = logits.slice();
    for (const id of new Set(ids)) {
      const v = out[id];
      out[id] = v > 0 ? v / penalty : v * penalty;
    }
    return out;
  };
}

export function temperature(t: number): LogitsProcessor {
  return (_ids, logits) => {
    if (t === 1) return logits;
    const out = new Float32Array(logits.length);
    for (let i = 0; i < logits.length; i++) out[i] = logits[i] / t;
    return out;
  };
}

/** Keeps the k largest logits (ties at the k-th value are kept too); the rest become -Infinity. */
export function topK(k: number): LogitsProcessor {
  return (_ids, logits) => {
    if (k <= 0 || k >= logits.length) return logits;
    const threshold = kthLargest(logits, k);
    const out = new Float32Array(logits.length).fill(-Infinity);
    for (let i = 0; i < logits.length; i++) if (logits[i] >= threshold) out[i] = logits[i];
    return out;
  };
}

/** Nucleus: keeps the smallest set of most likely tokens whose probability reaches p. */
export function topP(p: number): LogitsProcessor {
  return (_ids, logits) => {
    if (p >= 1) return logits;
    // Only tokens still in play are sorted: after top-k that is k of them, not the vocabulary.
    const live: number[] = [];
    let max = -Infinity;
    for (let i = 0; i < logits.length; i++) {
      if (logits[i] === -Infinity) continue;
      live.push(i);
      if (logits[i] > max) max = logits[i];
    }
    live.sort((a, b) => logits[b] - logits[a]);
    let sum = 0;
    for (const i of live) sum += Math.exp(logits[i] - max);
    const out = new Float32Array(logits.length).fill(-Infinity);
    let mass = 0;
    for (const i of live) {
      out[i] = logits[i];
      mass += Math.exp(logits[i] - max) / sum;
      if (mass >= p) break;
    }
    return out;
  };
}

/** The processor chain for sampling; greedy decoding needs none but the penalty. */
export function processorsFor(params: SamplingParams): LogitsProcessor[] {
  const chain: LogitsProcessor[] = [repetitionPenalty(params.repetitionPenalty)];
  if (params.temperature > 0) chain.push(temperature(params.temperature), topK(params.topK), topP(params.topP));
  return chain;
}

export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = logits[i] === -Infinity ? 0 : Math.exp(logits[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** The k-th largest value, by quickselect on a copy: O(V), where sorting 50k logits each token cost milliseconds. */
function kthLargest(values: Float32Array, k: number): number {
  const a = Float32Array.from(values);
  const target = a.length - k;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target];
}
