// Medians, percentiles and a repetition loop with a time budget: the only statistics the bench uses.

/** The p-th percentile (0..100) by linear interpolation between closest ranks; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);
export const p95 = (samples: readonly number[]): number => percentile(samples, 95);

/** Rounds for the JSON: NaN and infinities become null (JSON has neither). */
export function round(value: number | undefined, digits = 1): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export interface RepeatOptions {
  /** Stop starting new repetitions once this much time has gone by… */
  readonly budgetMs?: number;
  /** …but only after at least this many. */
  readonly minReps?: number;
}

/** Runs fn up to `reps` times in sequence, fewer when the budget runs out. */
export async function repeat<T>(reps: number, fn: (rep: number) => Promise<T>, options: RepeatOptions = {}): Promise<T[]> {
  const started = performance.now();
  const minReps = Math.min(reps, options.minReps ?? 2);
  const out: T[] = [];
  for (let rep = 0; rep < reps; rep++) {
    if (rep >= minReps && options.budgetMs !== undefined && performance.now() - started > options.budgetMs) break;
    out.push(await fn(rep));
  }
  return out;
}
