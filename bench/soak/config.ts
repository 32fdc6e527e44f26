// The soak's two sizes: the default run (GPT-2-small's shapes, human typing pace, a few minutes on
// 2 cores) and --quick (the tiny model, fast keys: seconds). Flags change the counts and the seed.
import { GPT2_SMALL, TINY, type GenerateOptions } from '../../scripts/model/generate';
import type { SoakRunParams } from './soak';

export interface SoakConfig extends SoakRunParams {
  readonly mode: 'full' | 'quick';
  readonly modelName: string;
  readonly model: GenerateOptions;
  /** Relative to the repo root. */
  readonly output: string;
}

export const FULL: SoakConfig = {
  mode: 'full',
  modelName: 'gpt2-small',
  model: GPT2_SMALL,
  requests: 800,
  faults: 10,
  seed: 20261207,
  // 90–260 ms a key (about 40–130 words a minute), a pause of 0.4–1.5 s after 40 % of the lines and 5 % of the other keys.
  pace: { keyMs: [90, 260], pauseMs: [400, 1500], pauseAfterLine: 0.4, pauseAfterKey: 0.05 },
  idleMinuteMs: 2000,
  hangMs: 30_000,
  // A bound, not a goal: the time to the next model answer depends on when typing pauses; the JSON has each fault's.
  recoverMs: 120_000,
  output: 'bench/results/soak.json',
};

export const QUICK: SoakConfig = {
  ...FULL,
  mode: 'quick',
  modelName: 'tiny',
  model: TINY,
  requests: 150,
  faults: 5,
  // Keys faster than the default debounce would all be cancelled: a short debounce lets the tiny model answer between them.
  pace: { keyMs: [20, 60], pauseMs: [150, 400], pauseAfterLine: 0.5, pauseAfterKey: 0.15 },
  settings: { debounceMs: 10, maxNewTokens: 8 },
  idleMinuteMs: 300,
  hangMs: 20_000,
  recoverMs: 60_000,
  // A smoke run's figures are not the soak's: kept out of bench/results.
  output: '.cache/soak/soak-quick.json',
};

/** `--quick`, `--requests N`, `--faults N`, `--seed N`, `--out PATH`. */
export function soakConfig(argv: readonly string[]): SoakConfig {
  let cfg = argv.includes('--quick') ? QUICK : FULL;
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const count = (flag: string, min: number): number | undefined => {
    const v = value(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const requests = count('--requests', 10);
  const faults = count('--faults', 0);
  const seed = count('--seed', 0);
  const out = value('--out');
  cfg = { ...cfg, ...(requests !== undefined ? { requests } : {}), ...(faults !== undefined ? { faults } : {}), ...(seed !== undefined ? { seed: seed >>> 0 } : {}), ...(out ? { output: out } : {}) };
  const known = new Set(['--quick', '--requests', '--faults', '--seed', '--out']);
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.has(a) && !known.has(argv[i - 1]));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return cfg;
}
