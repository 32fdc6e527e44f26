// A small built-in catalog of ONNX exports on the Hugging Face hub that the first run and "Choose
// Model" offer, with each variant's ONNX file and size and the languages each was trained on.
//
// Where the facts come from (read from the hub's file listings, "Files and versions" pages):
//   Xenova/gpt2              https://huggingface.co/Xenova/gpt2/tree/main/onnx (main = bf2c7f0):
//                            model.onnx 501 MB, model_fp16.onnx 251 MB, model_int8.onnx 281 MB;
//                            model_quantized.onnx is listed but its size was cut off in what was read;
//                            https://huggingface.co/Xenova/gpt2/tree/main: tokenizer.json 2.11 MB
//   Xenova/distilgpt2        https://huggingface.co/Xenova/distilgpt2/tree/16be0a7…/onnx:
//                            decoder_model_merged.onnx 330 MB, decoder_model_merged_quantized.onnx
//                            84.9 MB; its fp16 file is decoder_model_fp16.onnx (165 MB), a decoder
//                            without past inputs, which is not a variant the engine loads. main has
//                            since gained Transformers.js v3 files (commit a41c104, e.g.
//                            decoder_model_int8.onnx 238 MB) whose full listing was not read
//   Xenova/codegen-350M-mono https://huggingface.co/Xenova/codegen-350M-mono/tree/2a09d54…/onnx
//                            (PR #4, "Transformers.js v3 ONNX weights"): model.onnx 1.43 GB,
//                            model_fp16.onnx 714 MB, model_int8.onnx 358 MB, model_quantized.onnx
//                            listed (size cut off), decoder_model_merged_quantized.onnx 373 MB; main
//                            (357a310, PR #5) has the v3 files too, its onnx/ listing was not read
//   Xenova/tiny_starcoder_py https://huggingface.co/Xenova/tiny_starcoder_py/tree/8a19c35…/onnx:
//                            model.onnx 724 MB, model_fp16.onnx 396 MB, model_int8.onnx 383 MB,
//                            model_quantized.onnx listed (size cut off); tokenizer.json 2.06 MB
//                            (tree/refs%2Fpr%2F2)
//   onnx-community/Qwen2.5-Coder-0.5B-Instruct  (qwen2) int8 onnx/model_quantized.onnx about 639 MB as
//                            issue 12 reports the listing (not read here: marked estimated); fp32
//                            onnx/model.onnx 567 MB + onnx/model.onnx_data 1.96 GB (shared notes,
//                            "Qwen2 / Llama decoders"); fp16 estimated at 2 bytes a parameter (494M)
//   onnx-community/Qwen2.5-Coder-1.5B  (qwen2) int8 about 1.58 GB as issue 12 reports the listing;
//                            fp16 and fp32 (model.onnx + model.onnx_data) estimated from 1.54B parameters
//   Xenova/deepseek-coder-1.3b-base  (llama) listing not read: every size estimated from 1.35B
//                            parameters (int8 1 byte, fp16 2, fp32 4 a parameter); the file names
//                            are those the download selection (files.ts) takes first
//   Xenova/starcoderbase-1b  (gpt_bigcode) legacy merged files (decoder_model_merged*.onnx, the fp32
//                            one with external data, as issue 12 says); sizes estimated from 1.14B parameters
// Languages: Qwen2.5-Coder, the Qwen2.5-Coder technical report (arXiv:2409.12186: code in many
// languages, FIM); DeepSeek-Coder, its README's "Supported Programming Languages" list (87 names);
// StarCoderBase, its model card ("80+ programming languages" of The Stack v1.2); TinyStarCoder and
// CodeGen-mono, their cards (Python only); GPT-2, WebText (English, not code).
// Also ../shared/notes/onnx-models-and-runtime.md ("Sizes seen on the hub"). Model types are the
// hub's tags for each repo (gpt2, codegen, gpt_bigcode). Where a size was not on a listing it is
// estimated (the int8 file of the same export) and marked `sizeVerified: false`. Sizes are shown
// as the hub shows them (decimal MB/GB); what is downloaded is always decided by the hub's listing
// at download time (src/core/hub/files.ts), so a catalog size is what the user is told to expect.
import type { ModelFile } from '../config';
import { lookupCache, repoCacheDir } from './index';

export type VariantKind = 'int8' | 'fp16' | 'fp32';

export interface CatalogVariant {
  readonly kind: VariantKind;
  /** The ghostwriter.modelFile value that loads it. */
  readonly modelFile: Exclude<ModelFile, 'auto'>;
  /** The repo path the download selection (files.ts) is expected to pick for this variant. */
  readonly file: string;
  /** The ONNX file's size in bytes, as the hub lists it (rounded, decimal units). */
  readonly bytes: number;
  /** False: estimated, not read from a listing of this file (see the header). */
  readonly sizeVerified: boolean;
}

export interface CatalogEntry {
  readonly repoId: string;
  /** config.json's model_type (the hub's architecture tag). */
  readonly modelType: string;
  readonly parameters: string;
  /** One line: what it was trained on, what it is good for. */
  readonly summary: string;
  /**
   * The programming languages it knows: one ('Python': the picker says "Python only"), several
   * (a count and examples), or none (natural-language text).
   */
  readonly languages: { readonly only: string } | { readonly count: string; readonly examples: readonly string[] } | { readonly none: string };
  /** tokenizer.json, config.json, tokenizer_config.json and generation_config.json together, about. */
  readonly extraBytes: number;
  readonly variants: readonly CatalogVariant[];
}

const MB = 1e6;
const GB = 1e9;
/** Examples shown for the multi-language models: all of them know these (their lists and cards). */
const MAINSTREAM = ['JavaScript', 'TypeScript', 'Python', 'Java', 'C++', 'Go', 'Rust'];

export const CATALOG: readonly CatalogEntry[] = [
  {
    repoId: 'Xenova/gpt2',
    modelType: 'gpt2',
    parameters: '124M',
    summary: 'GPT-2 small: English web text, not trained on code',
    languages: { none: 'English text, not code' },
    extraBytes: 2.12 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/model_quantized.onnx', bytes: 281 * MB, sizeVerified: false },
      { kind: 'fp16', modelFile: 'fp16', file: 'onnx/model_fp16.onnx', bytes: 251 * MB, sizeVerified: true },
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/model.onnx', bytes: 501 * MB, sizeVerified: true },
    ],
  },
  {
    repoId: 'Xenova/distilgpt2',
    modelType: 'gpt2',
    parameters: '82M',
    summary: 'DistilGPT-2: smaller and faster than GPT-2, English text, not trained on code',
    languages: { none: 'English text, not code' },
    extraBytes: 2.12 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/decoder_model_merged_quantized.onnx', bytes: 84.9 * MB, sizeVerified: true },
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/decoder_model_merged.onnx', bytes: 330 * MB, sizeVerified: true },
    ],
  },
  {
    repoId: 'Xenova/codegen-350M-mono',
    modelType: 'codegen',
    parameters: '350M',
    summary: 'CodeGen 350M mono: trained on Python code',
    languages: { only: 'Python' },
    extraBytes: 2.12 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/model_quantized.onnx', bytes: 358 * MB, sizeVerified: false },
      { kind: 'fp16', modelFile: 'fp16', file: 'onnx/model_fp16.onnx', bytes: 714 * MB, sizeVerified: true },
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/model.onnx', bytes: 1.43 * GB, sizeVerified: true },
    ],
  },
  {
    repoId: 'Xenova/tiny_starcoder_py',
    modelType: 'gpt_bigcode',
    parameters: '164M',
    summary: 'TinyStarCoder: trained on Python code, with fill-in-the-middle tokens',
    languages: { only: 'Python' },
    extraBytes: 2.07 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/model_quantized.onnx', bytes: 383 * MB, sizeVerified: false },
      { kind: 'fp16', modelFile: 'fp16', file: 'onnx/model_fp16.onnx', bytes: 396 * MB, sizeVerified: true },
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/model.onnx', bytes: 724 * MB, sizeVerified: true },
    ],
  },
  {
    repoId: 'onnx-community/Qwen2.5-Coder-0.5B-Instruct',
    modelType: 'qwen2',
    parameters: '494M',
    summary: 'Qwen2.5-Coder 0.5B Instruct: code in many languages, fill-in-the-middle; small enough for any CPU',
    languages: { count: 'many programming languages', examples: MAINSTREAM },
    extraBytes: 7.1 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/model_quantized.onnx', bytes: 639 * MB, sizeVerified: false },
      { kind: 'fp16', modelFile: 'fp16', file: 'onnx/model_fp16.onnx', bytes: 988 * MB, sizeVerified: false },
      // model.onnx and its external data, model.onnx_data (files.ts downloads both).
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/model.onnx', bytes: 2.53 * GB, sizeVerified: true },
    ],
  },
  {
    repoId: 'onnx-community/Qwen2.5-Coder-1.5B',
    modelType: 'qwen2',
    parameters: '1.54B',
    summary: 'Qwen2.5-Coder 1.5B (base): better completions than the 0.5B, fill-in-the-middle; wants a GPU or many cores',
    languages: { count: 'many programming languages', examples: MAINSTREAM },
    extraBytes: 7.1 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/model_quantized.onnx', bytes: 1.58 * GB, sizeVerified: false },
      { kind: 'fp16', modelFile: 'fp16', file: 'onnx/model_fp16.onnx', bytes: 3.09 * GB, sizeVerified: false },
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/model.onnx', bytes: 6.17 * GB, sizeVerified: false },
    ],
  },
  {
    repoId: 'Xenova/deepseek-coder-1.3b-base',
    modelType: 'llama',
    parameters: '1.35B',
    summary: 'DeepSeek-Coder 1.3B (base): code in 87 languages, fill-in-the-middle',
    languages: { count: '87 programming languages', examples: MAINSTREAM },
    extraBytes: 1.4 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/model_quantized.onnx', bytes: 1.35 * GB, sizeVerified: false },
      { kind: 'fp16', modelFile: 'fp16', file: 'onnx/model_fp16.onnx', bytes: 2.7 * GB, sizeVerified: false },
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/model.onnx', bytes: 5.39 * GB, sizeVerified: false },
    ],
  },
  {
    repoId: 'Xenova/starcoderbase-1b',
    modelType: 'gpt_bigcode',
    parameters: '1.14B',
    summary: 'StarCoderBase 1B: code in 80+ languages, StarCoder\'s fill-in-the-middle',
    languages: { count: '80+ programming languages', examples: MAINSTREAM },
    extraBytes: 2.1 * MB,
    variants: [
      { kind: 'int8', modelFile: 'quantized', file: 'onnx/decoder_model_merged_quantized.onnx', bytes: 1.14 * GB, sizeVerified: false },
      // decoder_model_merged.onnx and its external data.
      { kind: 'fp32', modelFile: 'fp32', file: 'onnx/decoder_model_merged.onnx', bytes: 4.56 * GB, sizeVerified: false },
    ],
  },
];

/** "Python only", "many programming languages (JavaScript, TypeScript, Python, …)", "English text, not code". */
export function describeLanguages(entry: CatalogEntry): string {
  const l = entry.languages;
  if ('only' in l) return `${l.only} only`;
  if ('none' in l) return l.none;
  return `${l.count} (${l.examples.join(', ')}, …)`;
}

/**
 * The model types the engine loads: src/inference/arch's registry (supportedModelTypes()), written
 * out because core does not depend on the inference process's code; test/unit/catalog.test.ts
 * checks that the two agree.
 */
export const ENGINE_MODEL_TYPES: readonly string[] = ['gpt2', 'codegen', 'gpt_bigcode', 'qwen2', 'llama'];

export function catalogEntry(repoId: string): CatalogEntry | undefined {
  const id = repoId.split('@')[0];
  return CATALOG.find((e) => e.repoId === id);
}

export function loadable(entry: CatalogEntry, modelTypes: readonly string[] = ENGINE_MODEL_TYPES): boolean {
  return modelTypes.includes(entry.modelType);
}

/** int8 on the CPU (a quarter of the bytes read per token); fp16, else fp32, on CUDA. */
export function defaultVariant(entry: CatalogEntry, onCpu: boolean): CatalogVariant {
  const order: VariantKind[] = onCpu ? ['int8', 'fp32', 'fp16'] : ['fp16', 'fp32', 'int8'];
  for (const kind of order) {
    const v = entry.variants.find((x) => x.kind === kind);
    if (v) return v;
  }
  return entry.variants[0];
}

export function variantByModelFile(entry: CatalogEntry, modelFile: ModelFile, onCpu: boolean): CatalogVariant | undefined {
  return modelFile === 'auto' ? defaultVariant(entry, onCpu) : entry.variants.find((v) => v.modelFile === modelFile);
}

/** What the download comes to: the ONNX file plus the tokenizer and configs. */
export function downloadBytes(entry: CatalogEntry, variant: CatalogVariant): number {
  return variant.bytes + entry.extraBytes;
}

/** "int8, 283 MB" (or "about 283 MB" where the size is an estimate). */
export function describeVariant(entry: CatalogEntry, variant: CatalogVariant): string {
  return `${variant.kind}, ${variant.sizeVerified ? '' : 'about '}${formatSize(downloadBytes(entry, variant))}`;
}

/** Decimal units, as the hub shows sizes: 84.9 MB, 281 MB, 1.43 GB. */
export function formatSize(bytes: number): string {
  if (bytes < 1e3) return `${Math.round(bytes)} B`;
  const units: [number, string][] = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, unit] of units) {
    if (bytes < size) continue;
    const v = bytes / size;
    return `${v >= 100 ? Math.round(v) : v >= 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(2).replace(/\.?0+$/, '')} ${unit}`;
  }
  return `${bytes} B`;
}

/**
 * The variants of an entry that the Hugging Face cache can load now (revision main), without the
 * network: the snapshot refs/main points to has the configs, the tokenizer and the variant's ONNX file.
 */
export async function downloadedVariants(entry: CatalogEntry, cacheRoot: string): Promise<VariantKind[]> {
  const repoDir = repoCacheDir(cacheRoot, entry.repoId);
  const out: VariantKind[] = [];
  for (const v of entry.variants) {
    const found = await lookupCache(repoDir, 'main', v.modelFile, true);
    if (found?.hit || found?.fallback) out.push(v.kind);
  }
  return out;
}
