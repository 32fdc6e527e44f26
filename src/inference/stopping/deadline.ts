// Generation never runs past the deadline: it stops once the deadline has passed, and also when
// the next step would end past it (a step takes about as long as the one before it).
import type { StoppingCriterion } from './types';

export function deadline(ms: number): StoppingCriterion {
  let last: number | undefined;
  return ({ elapsedMs }) => {
    const step = last === undefined ? 0 : Math.max(0, elapsedMs - last);
    last = elapsedMs;
    return elapsedMs + step >= ms ? { reason: 'deadline' } : undefined;
  };
}
