// The completion's length budget, in tokens.
import type { StoppingCriterion } from './types';

export function maxNewTokens(n: number): StoppingCriterion {
  return ({ newIds }) => (newIds.length >= n ? { reason: 'max-tokens' } : undefined);
}
