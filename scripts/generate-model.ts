// CLI: writes a model folder with seeded random weights (see scripts/model/generate.ts): the fp32
// graph and its int8 copy (onnx/model_quantized.onnx or decoder_model_merged_quantized.onnx).
//   node out/scripts/generate-model.js --out DIR [--arch gpt2|codegen|gpt_bigcode|qwen2|llama]
//     [--preset tiny|tiny-b|gpt2-small|qwen2-0.5b] [--n-layer N --n-head N --n-embd N --n-positions N --seed N]
//     [--layout model|merged|legacy] [--rotary-dim N (codegen)] [--multi-query true|false (gpt_bigcode)]
//     [--int8-range reduced|full (int8 weights within ±64, the default, or ±127)]
//     [--kv-heads N --intermediate N --vocab-rows N --tie-word-embeddings true|false
//      --num-logits-to-keep true|false --kv-float16 true|false (qwen2, llama)] [--external-data true|false]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  ARCHS,
  generateModel,
  GPT2_SMALL,
  LAYOUTS,
  QWEN2_05B,
  TINY,
  TINY_B,
  TINY_BIGCODE,
  TINY_CODEGEN,
  TINY_LLAMA,
  TINY_QWEN2,
  type GenerateOptions,
  type ModelArch,
  type ModelLayout,
} from './model/generate';

const PRESETS: Record<string, GenerateOptions> = { tiny: TINY, 'tiny-b': TINY_B, 'gpt2-small': GPT2_SMALL, 'qwen2-0.5b': QWEN2_05B };
/** `tiny` with another --arch is that architecture's own tiny shape (CodeGen needs 4 heads or a multiple). */
const TINY_FOR: Record<ModelArch, GenerateOptions> = { gpt2: TINY, codegen: TINY_CODEGEN, gpt_bigcode: TINY_BIGCODE, qwen2: TINY_QWEN2, llama: TINY_LLAMA };

const NUMERIC_FLAGS = {
  '--n-layer': 'nLayer',
  '--n-head': 'nHead',
  '--n-embd': 'nEmbd',
  '--n-positions': 'nPositions',
  '--seed': 'seed',
  '--rotary-dim': 'rotaryDim',
  '--kv-heads': 'kvHeads',
  '--intermediate': 'intermediate',
  '--vocab-rows': 'vocabRows',
} as const;

const BOOLEAN_FLAGS = {
  '--multi-query': 'multiQuery',
  '--tie-word-embeddings': 'tieWordEmbeddings',
  '--num-logits-to-keep': 'numLogitsToKeep',
  '--kv-float16': 'kvFloat16',
  '--external-data': 'externalData',
} as const;

const USAGE =
  'usage: generate-model --out DIR [--arch gpt2|codegen|gpt_bigcode|qwen2|llama] [--preset tiny|tiny-b|gpt2-small|qwen2-0.5b] [--n-layer N] [--n-head N] ' +
  '[--n-embd N] [--n-positions N] [--seed N] [--layout model|merged|legacy] [--rotary-dim N] [--multi-query true|false] ' +
  '[--kv-heads N] [--intermediate N] [--vocab-rows N] [--tie-word-embeddings true|false] [--num-logits-to-keep true|false] [--kv-float16 true|false] [--external-data true|false] [--int8-range reduced|full]';

interface Args {
  out: string;
  opts: GenerateOptions;
}

function parseInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${flag} needs a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!flag.startsWith('--') || value === undefined || value.startsWith('--')) throw new Error(`bad argument near ${flag}\n${USAGE}`);
    flags.set(flag, value);
  }
  const out = flags.get('--out');
  if (!out) throw new Error(`--out is required\n${USAGE}`);
  const presetName = flags.get('--preset') ?? 'tiny';
  const preset0 = presetName === 'tiny' ? undefined : PRESETS[presetName];
  const arch = (flags.get('--arch') ?? preset0?.arch ?? 'gpt2') as ModelArch;
  if (!ARCHS.includes(arch)) throw new Error(`--arch must be one of ${ARCHS.join(', ')}`);
  const preset = presetName === 'tiny' ? TINY_FOR[arch] : PRESETS[presetName];
  if (!preset) throw new Error(`unknown preset ${JSON.stringify(presetName)}; one of ${Object.keys(PRESETS).join(', ')}`);
  const opts: GenerateOptions = { ...preset, arch };
  if (arch === 'gpt2') delete opts.arch;
  for (const [flag, value] of flags) {
    if (flag === '--out' || flag === '--preset' || flag === '--arch') continue;
    if (flag in BOOLEAN_FLAGS) {
      if (value !== 'true' && value !== 'false') throw new Error(`${flag} must be true or false`);
      opts[BOOLEAN_FLAGS[flag as keyof typeof BOOLEAN_FLAGS]] = value === 'true';
    } else if (flag === '--int8-range') {
      if (value !== 'reduced' && value !== 'full') throw new Error('--int8-range must be reduced or full');
      opts.int8Range = value;
    } else if (flag === '--layout') {
      if (!LAYOUTS.includes(value as ModelLayout)) throw new Error(`--layout must be one of ${LAYOUTS.join(', ')}`);
      opts.layout = value as ModelLayout;
    } else if (flag in NUMERIC_FLAGS) {
      opts[NUMERIC_FLAGS[flag as keyof typeof NUMERIC_FLAGS]] = parseInteger(flag, value);
    } else {
      throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return { out, opts };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;
}

async function main(): Promise<void> {
  const { out, opts } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  await generateModel(out, opts);
  console.log(`generated ${JSON.stringify({ arch: 'gpt2', layout: 'model', ...opts })} in ${((Date.now() - started) / 1000).toFixed(2)} s`);
  for (const file of filesUnder(out).sort()) {
    console.log(`  ${relative(out, file).padEnd(36)} ${formatBytes(statSync(file).size).padStart(10)}`);
  }
}

main().catch((err: unknown) => {
  console.error(`generate-model: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
