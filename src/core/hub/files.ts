// Which files of a hub repo a model variant needs: the configs, the tokenizer, one ONNX file and its
// external data when the export has one. Nothing else is downloaded.
import type { ModelFile } from '../config';
import { GhostwriterError } from '../errors';

/** A file as the hub's tree API lists it (`GET /api/models/{repo}/tree/{commit}`). */
export interface HubFile {
  readonly path: string;
  readonly size: number;
  /** The git blob id (sha1); the blob's name in the cache for files not in LFS. */
  readonly oid: string;
  /** LFS files: the sha256 and size of the real content (the blob's name in the cache). */
  readonly lfs?: { readonly sha256: string; readonly size: number };
}

/** The name of a file's blob in the cache: its LFS sha256, else its git blob id. */
export function blobName(file: HubFile): string {
  return file.lfs ? file.lfs.sha256 : file.oid;
}

/** What the loader reads (src/inference/model.ts, src/core/tokenizer.ts). */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
/** Downloaded when the repo has it. */
export const OPTIONAL_FILES = ['generation_config.json'] as const;

// The ONNX file each choice loads, best first. These must pick what src/inference/model.ts picks in
// a folder holding the same files (its ONNX_CANDIDATES and AUTO_ON_CPU; test/unit/hub.test.ts checks).
const CANDIDATES: { readonly [K in ModelFile]: readonly string[] } = {
  fp32: ['model.onnx', 'decoder_model_merged.onnx'],
  fp16: ['model_fp16.onnx', 'decoder_model_merged_fp16.onnx'],
  quantized: ['model_quantized.onnx', 'decoder_model_merged_quantized.onnx', 'model_int8.onnx'],
  auto: ['model.onnx', 'decoder_model_merged.onnx', 'model_quantized.onnx', 'decoder_model_merged_quantized.onnx', 'model_fp16.onnx'],
};
/** 'auto' on the CPU: the int8 file when the repo has one (a quarter of the bytes read per token). */
const AUTO_ON_CPU = ['model_quantized.onnx', 'decoder_model_merged_quantized.onnx', 'model.onnx', 'decoder_model_merged.onnx', 'model_fp16.onnx'];

/** Repo paths (`onnx/…`) of the ONNX files a choice may load, best first. */
export function onnxCandidates(modelFile: ModelFile, onCpu: boolean): string[] {
  return (modelFile === 'auto' && onCpu ? AUTO_ON_CPU : CANDIDATES[modelFile]).map((name) => `onnx/${name}`);
}

/** The external-data files of an ONNX file among `paths`: `<file>_data` (Optimum, transformers.js), `<file>_data_N`, `<file>.data`. */
export function externalDataFiles(onnxPath: string, paths: Iterable<string>): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === `${onnxPath}_data` || p === `${onnxPath}.data` || (p.startsWith(`${onnxPath}_data_`) && /^\d+$/.test(p.slice(onnxPath.length + 6)))) out.push(p);
  }
  return out.sort();
}

export interface Selection {
  /** In download order: small files first. */
  readonly files: readonly HubFile[];
  /** The repo path of the ONNX file chosen. */
  readonly onnxFile: string;
  /** Optional files and better-ranked ONNX candidates the repo does not have (marked in `.no_exist/`). */
  readonly absent: readonly string[];
}

export function selectFiles(listing: readonly HubFile[], modelFile: ModelFile, onCpu: boolean, where: string): Selection {
  const byPath = new Map(listing.map((f) => [f.path, f]));
  const files: HubFile[] = [];
  const absent: string[] = [];
  for (const path of REQUIRED_FILES) {
    const file = byPath.get(path);
    if (!file) throw new GhostwriterError('hub-not-found', `${where} has no ${path}: it is not a model this extension can load (it needs ${REQUIRED_FILES.join(', ')} and onnx/model.onnx).`, { file: path });
    files.push(file);
  }
  for (const path of OPTIONAL_FILES) {
    const file = byPath.get(path);
    if (file) files.push(file);
    else absent.push(path);
  }
  const candidates = onnxCandidates(modelFile, onCpu);
  const onnxFile = candidates.find((p) => byPath.has(p));
  if (!onnxFile) {
    const onnx = [...byPath.keys()].filter((p) => p.endsWith('.onnx')).sort();
    throw new GhostwriterError(
      'hub-not-found',
      `${where} has no ${modelFile === 'auto' ? '' : `${modelFile} `}ONNX file: looked for ${candidates.join(', ')}; ` +
        (onnx.length ? `it has ${onnx.join(', ')}${modelFile === 'auto' ? '' : ' (another model file choice may fit)'}.` : 'it has no ONNX files (not an ONNX export).'),
      { file: candidates[0] },
    );
  }
  absent.push(...candidates.slice(0, candidates.indexOf(onnxFile)));
  files.push(byPath.get(onnxFile)!);
  for (const path of externalDataFiles(onnxFile, byPath.keys())) files.push(byPath.get(path)!);
  return { files, onnxFile, absent };
}
