// Picks the next token from processed logits: argmax when greedy, else a draw with the injected RNG.
import { softmax } from './processors';
import type { Rng } from './rng';

export type Sampler = (logits: Float32Array) => number;

export function greedy(): Sampler {
  return (logits) => {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  };
}

export function multinomial(rng: Rng): Sampler {
  return (logits) => {
    const probs = softmax(logits);
    let r = rng();
    for (let i = 0; i < probs.length; i++) {
      r -= probs[i];
      if (r < 0) return i;
    }
    // Rounding left a sliver: take the last token that had any mass.
    for (let i = probs.length - 1; i >= 0; i--) if (probs[i] > 0) return i;
    return 0;
  };
}

export function samplerFor(temperature: number, rng: Rng): Sampler {
  return temperature === 0 ? greedy() : multinomial(rng);
}
