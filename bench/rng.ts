// Seeded randomness for the replay, so every run types the same keys at the same pace: the
// engine's own generator (mulberry32).
export { seededRng as seededRandom } from '../src/inference/rng';

/** A uniform float in [lo, hi). */
export function uniform(random: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}
