// The modes: the full run on a GPT-2-small-shaped model, --quick on the tiny one, and --qwen2 on a
// model with Qwen2.5-Coder-0.5B's shapes (behind a flag: generating it and the peer's runs take long).
import { GPT2_SMALL, QWEN2_05B, TINY, type GenerateOptions } from '../scripts/model/generate';
import type { ReplayPace } from './replay';

export interface BenchConfig {
  readonly mode: 'full' | 'quick' | 'qwen2';
  readonly modelName: string;
  readonly model: GenerateOptions;
  /** Context sizes, tokens: prefill prompts of this many tokens, decode with this many in the cache. */
  readonly sizes: readonly [number, number, number];
  readonly decodeNewTokens: number;
  /** Prompts of int8Agreement (greedy int8 vs fp32 tokens); 0: not measured. */
  readonly int8AgreementPrompts: number;
  readonly reps: number;
  readonly loadReps: number;
  /** Per measurement (each size counts as one): no new rep starts past it, once two are done. */
  readonly budgetMs: { readonly load: number; readonly prefill: number; readonly decode: number; readonly firstSuggestion: number };
  readonly replay: ReplayPace;
  readonly bandwidthMb: number;
  readonly bandwidthReps: number;
  readonly peerTimeoutMs: number;
  /** Where the JSON goes, relative to the repo root. */
  readonly output: string;
}

const PACE: Omit<ReplayPace, 'keystrokes'> = {
  regionLines: 40,
  keyMs: [60, 120],
  pauseMs: [500, 1500],
  pauseAfterLine: 0.35,
  pauseAfterKey: 0.03,
  seed: 20240611,
};

export const FULL: BenchConfig = {
  mode: 'full',
  modelName: 'gpt2-small',
  model: GPT2_SMALL,
  sizes: [128, 512, 1024],
  decodeNewTokens: 32,
  int8AgreementPrompts: 8,
  reps: 5,
  loadReps: 5,
  budgetMs: { load: 60_000, prefill: 30_000, decode: 45_000, firstSuggestion: 60_000 },
  replay: { ...PACE, keystrokes: 200 },
  bandwidthMb: 768,
  bandwidthReps: 5,
  peerTimeoutMs: 8 * 60_000,
  output: 'bench/results/latest.json',
};

/**
 * Qwen2.5-Coder-0.5B's shapes (24 layers, 896 wide, 14 heads on 2 key/value heads, 4864 inner,
 * 151,936 rows; scripts/model/generate.ts QWEN2_05B), random weights, the fp32 weights in
 * model.onnx_data as onnx-community ships them. Fewer repetitions than the full run: each costs
 * 4-16 times GPT-2-small's.
 */
export const QWEN2: BenchConfig = {
  mode: 'qwen2',
  modelName: 'qwen2-0.5b',
  model: QWEN2_05B,
  sizes: [128, 512, 1024],
  decodeNewTokens: 32,
  // Not measured here: a second qwen2-0.5b folder quantized over ±127 would cost minutes more.
  int8AgreementPrompts: 0,
  reps: 3,
  loadReps: 2,
  budgetMs: { load: 120_000, prefill: 60_000, decode: 90_000, firstSuggestion: 90_000 },
  replay: { ...PACE, keystrokes: 100 },
  bandwidthMb: 768,
  bandwidthReps: 5,
  peerTimeoutMs: 20 * 60_000,
  output: 'bench/results/qwen2-0.5b.json',
};

export const QUICK: BenchConfig = {
  mode: 'quick',
  modelName: 'tiny',
  model: TINY,
  sizes: [64, 128, 256],
  decodeNewTokens: 16,
  int8AgreementPrompts: 3,
  reps: 2,
  loadReps: 2,
  budgetMs: { load: 10_000, prefill: 5_000, decode: 5_000, firstSuggestion: 5_000 },
  replay: { ...PACE, keystrokes: 30 },
  bandwidthMb: 128,
  bandwidthReps: 2,
  peerTimeoutMs: 2 * 60_000,
  output: 'bench/results/quick.json',
};
