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
    return logits.map((v) => (v >= threshold ? v : -Infinity));
  };
}

/** Nucleus: keeps the smallest set of most likely tokens whose probability reaches p. */
export function topP(p: number): LogitsProcessor {
  return (_ids, logits) => {
    if (p >= 1) return logits;
    const probs = softmax(logits);
    const order = Array.from(probs.keys()).filter((i) => probs[i] > 0).sort((a, b) => probs[b] - probs[a]);
    const keep = new Uint8Array(logits.length);
    let mass = 0;
    for (const i of order) {
      keep[i] = 1;
      mass += probs[i];
      if (mass >= p) break;
    }
    return logits.map((v, i) => (keep[i] ? v : -Infinity));
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

function kthLargest(values: Float32Array, k: number): number {
  // A sorted copy is O(V log V) on 50k values: ~2 ms, well under one model step.
  const sorted = Float32Array.from(values).sort();
  return sorted[sorted.length - k];
}
