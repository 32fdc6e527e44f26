// The engine's candidates for one request, as the editor offers them: best first by the
// model's confidence (mean token log-probability), the unsure ones hidden when the confidence
// gate is on. Deduplication happens after post-processing (src/core/completion/suggestion.ts), where two
// raw texts may become the same suggestion; the better-ranked one stays.
import type { Completion } from '../protocol';

/** Candidates at or above `minMeanLogprob` (none given: all), best first; ties keep the engine's order. */
export function rankCompletions(completions: readonly Completion[], minMeanLogprob?: number): Completion[] {
  const score = (c: Completion) => c.meanLogprob ?? -Infinity;
  return completions
    .filter((c) => minMeanLogprob === undefined || c.meanLogprob === undefined || c.meanLogprob >= minMeanLogprob)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => score(b.c) - score(a.c) || a.i - b.i)
    .map(({ c }) => c);
}

/** Typing gets one candidate at no more than this temperature: greedy-like, the same suggestion each time. */
export const AUTOMATIC_MAX_TEMPERATURE = 0.2;
