// A model folder in the hub layout -> which files to use and the shapes its config.json declares.
import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ModelFile } from '../core/config';
import { GhostwriterError } from '../core/errors';
import { readJson } from '../core/tokenizer';
import { parseModelConfig } from './arch';
import { readEndTokenIds } from './endTokens';
import type { ModelConfig } from './arch/types';

export type { ModelConfig } from './arch/types';

export interface ModelFolder {
  readonly dir: string;
  readonly name: string;
  readonly onnxPath: string;
  readonly config: ModelConfig;
  /** Every end token generation_config.json and config.json list (endTokens.ts). */
  readonly endTokenIds: readonly number[];
}

/** Candidate file names per choice, best first. Current exports name one model.onnx; older ones a merged decoder. */
const ONNX_CANDIDATES: { readonly [K in ModelFile]: readonly string[] } = {
  fp32: ['model.onnx', 'decoder_model_merged.onnx'],
  fp16: ['model_fp16.onnx', 'decoder_model_merged_fp16.onnx'],
  quantized: ['model_quantized.onnx', 'decoder_model_merged_quantized.onnx', 'model_int8.onnx'],
  // On a GPU full precision; the fp16 and int8 files only when there is no fp32 one.
  auto: ['model.onnx', 'decoder_model_merged.onnx', 'model_quantized.onnx', 'decoder_model_merged_quantized.onnx', 'model_fp16.onnx'],
};

/** 'auto' on the CPU: int8 reads a quarter of the bytes per token, and decoding is bound by exactly that. */
const AUTO_ON_CPU = ['model_quantized.onnx', 'decoder_model_merged_quantized.onnx', 'model.onnx', 'decoder_model_merged.onnx', 'model_fp16.onnx'];

/** `onCpu`: the model will run on the CPU, which makes 'auto' prefer the int8 file. */
export async function resolveModelFolder(dir: string, modelFile: ModelFile, onCpu = false): Promise<ModelFolder> {
  if (!(await exists(dir))) {
    throw new GhostwriterError('model-not-found', `The model folder ${dir} does not exist. Choose a folder with config.json, tokenizer.json and onnx/model.onnx.`, { file: dir });
  }
  const raw = await readJson(join(dir, 'config.json'));
  const config = parseConfig(raw, join(dir, 'config.json'));
  const onnxPath = await pickOnnxFile(dir, modelFile === 'auto' && onCpu ? AUTO_ON_CPU : ONNX_CANDIDATES[modelFile], modelFile);
  return { dir, name: basename(dir), onnxPath, config, endTokenIds: await readEndTokenIds(dir, raw) };
}

async function pickOnnxFile(dir: string, names: readonly string[], modelFile: ModelFile): Promise<string> {
  for (const name of names) {
    const path = join(dir, 'onnx', name);
    if (await exists(path)) return path;
  }
  throw new GhostwriterError(
    'model-not-found',
    `No ${modelFile === 'auto' ? '' : modelFile + ' '}ONNX file in ${join(dir, 'onnx')}: looked for ${names.join(', ')}.`,
    { file: join(dir, 'onnx', names[0]) },
  );
}

/** config.json -> sizes, read by the adapter of its model_type (arch/index.ts); none means GPT-2. */
export function parseConfig(raw: Record<string, unknown>, file: string): ModelConfig {
  return parseModelConfig(raw, file);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
