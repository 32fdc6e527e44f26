// An automatic suggestion is answered once it has something to show and its time is up, however
// slow the steps turned out (a busy editor on the same cores): decoding goes on as the look-ahead,
// with the same sampler in the same cache, so the suggestion grows in place and never changes.
import type { StoppingCriterion } from './types';

/** Tokens an early answer has at least: one is often only a space or a bracket. */
export const EARLY_ANSWER_MIN_TOKENS = 2;

export function earlyAnswer(ms: number, minTokens = EARLY_ANSWER_MIN_TOKENS): StoppingCriterion {
  return ({ newIds, elapsedMs }) => (newIds.length >= minTokens && elapsedMs >= ms ? { reason: 'early' } : undefined);
}
