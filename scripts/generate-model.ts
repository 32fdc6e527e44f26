// CLI: writes a GPT-2 model folder with seeded random weights (see scripts/model/generate.ts): the
// fp32 graph and its int8 copy (onnx/model_quantized.onnx or decoder_model_merged_quantized.onnx).
//   node out/scripts/generate-model.js --out DIR [--preset tiny|tiny-b|gpt2-small]
//     [--n-layer N --n-head N --n-embd N --n-positions N --seed N --layout model|merged|legacy]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateModel, GPT2_SMALL, LAYOUTS, TINY, TINY_B, type GenerateOptions, type ModelLayout } from './model/generate';

const PRESETS: Record<string, GenerateOptions> = { tiny: TINY, 'tiny-b': TINY_B, 'gpt2-small': GPT2_SMALL };

const NUMERIC_FLAGS = {
  '--n-layer': 'nLayer',
  '--n-head': 'nHead',
  '--n-embd': 'nEmbd',
  '--n-positions': 'nPositions',
  '--seed': 'seed',
} as const;

const USAGE =
  'usage: generate-model --out DIR [--preset tiny|tiny-b|gpt2-small] [--n-layer N] [--n-head N] ' +
  '[--n-embd N] [--n-positions N] [--seed N] [--layout model|merged|legacy]';

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
  const preset = PRESETS[presetName];
  if (!preset) throw new Error(`unknown preset ${JSON.stringify(presetName)}; one of ${Object.keys(PRESETS).join(', ')}`);
  const opts: GenerateOptions = { ...preset };
  for (const [flag, value] of flags) {
    if (flag === '--out' || flag === '--preset') continue;
    if (flag === '--layout') {
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
  console.log(`generated ${JSON.stringify({ layout: 'model', ...opts })} in ${((Date.now() - started) / 1000).toFixed(2)} s`);
  for (const file of filesUnder(out).sort()) {
    console.log(`  ${relative(out, file).padEnd(36)} ${formatBytes(statSync(file).size).padStart(10)}`);
  }
}

main().catch((err: unknown) => {
  console.error(`generate-model: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
