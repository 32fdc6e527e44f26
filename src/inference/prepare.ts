// Prepares a model's graph once (see onnx/rewrite.ts) and keeps the result on disk, keyed by the
// ONNX file's content hash, the preparation version and the cache layout, so the next load
// skips the work. A file whose size and mtime are known is not hashed again.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCause } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Int8Kernel } from './int8Kernel';
import { encodeOnnxModel, parseModel, type OnnxModel } from './onnx/graph';
import { externalDataKey, relocateExternalData } from './onnx/externalData';
import { writeMessage } from './onnx/protoWriter';
import { requantizeInt8Weights } from './onnx/requantize';
import { rewriteForCache, type RewriteSpec } from './onnx/rewrite';

/** Bump when the rewrite changes, so graphs prepared by an older version are not reused. */
export const PREPARE_VERSION = 3;
/** Prepared files kept; the least recently used go first. A GPT-2-small one is ~500 MB. */
const MAX_PREPARED_FILES = 4;
const INDEX = 'index.json';

export interface Prepared {
  /** The prepared graph; undefined when this graph cannot be prepared (`note` says why). */
  readonly path: string | undefined;
  readonly note: string;
  /** Unprepared: the original graph to run instead of the model's file, its int8 weights fitted to this CPU. */
  readonly original?: string;
  /** The file's int8 weights would overflow this CPU's int8 sums and could not be rescaled: why. */
  readonly int8Problem?: string;
  /** The model file was read into memory (to hash or to prepare it): garbage now, as large as the file. */
  readonly readModel?: boolean;
}

/** Thrown where a graph's int8 weights would overflow and cannot be rescaled (nothing is cached). */
class Int8Problem extends Error {}

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || (process.env['HOME'] ? join(process.env['HOME'], '.cache') : tmpdir());
  return join(base, 'ghostwriter', 'prepared');
}

/**
 * The prepared graph's path, or undefined and why when this graph cannot be prepared. `int8`: the
 * CPU's int8 kernel; where it saturates, int8 weights beyond ±64 are rescaled in what is written.
 */
export async function prepareGraph(onnxPath: string, spec: RewriteSpec, cacheDir: string, log: Logger, int8?: Int8Kernel): Promise<Prepared> {
  const t0 = Date.now();
  const fit = int8?.saturates === true;
  const specKey = createHash('sha256').update(JSON.stringify(fit ? { ...spec, int8: 'fit 16-bit sums' } : spec) + externalDataKey(onnxPath)).digest('hex').slice(0, 12);
  let bytes: Uint8Array | undefined;
  try {
    await mkdir(cacheDir, { recursive: true });
    const info = await stat(onnxPath);
    const statKey = `${onnxPath}|${info.size}|${info.mtimeMs}`;
    const index = await readIndex(cacheDir);
    const knownHash = index[statKey];
    if (knownHash) {
      const hit = join(cacheDir, fileName(knownHash, specKey));
      if (await touch(hit)) return { path: hit, note: `prepared graph from the cache (${Date.now() - t0} ms)` };
    }
    bytes = await readFile(onnxPath);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const target = join(cacheDir, fileName(hash, specKey));
    if (!(await touch(target))) {
      const model = parseModel(bytes);
      relocateExternalData(model, onnxPath);
      const result = rewriteForCache(model, spec);
      const fitted = fit ? fitInt8(model, int8!) : '';
      await writeAtomically(target, model);
      log.info(`prepared ${onnxPath} in ${Date.now() - t0} ms (logits: ${result.logits === 'head' ? 'head on the last position' : 'last row of the output'}${result.inlinedBranch ? ', with-past branch inlined' : ''}${result.maskedAsBias > 0 ? `, ${result.maskedAsBias} score masks as a bias` : ''}${fitted})`);
    }
    await writeIndex(cacheDir, { ...index, [statKey]: hash });
    await prune(cacheDir, log);
    return { path: target, note: `prepared graph (${Date.now() - t0} ms)`, readModel: true };
  } catch (cause) {
    const readModel = bytes !== undefined;
    if (cause instanceof Int8Problem) return { ...int8Refused(onnxPath, cause.message, log), readModel };
    const note = `the graph could not be prepared (${describeCause(cause)}); running the original graph, which returns the whole KV cache every step`;
    log.warn(`${onnxPath}: ${note}`);
    return { ...(fit && bytes ? await fittedOriginal(onnxPath, bytes, int8!, cacheDir, specKey, note, log) : { path: undefined, note }), readModel };
  }
}

/** Rescales the int8 weights in place; a note for the log ('' when nothing was needed). */
function fitInt8(model: OnnxModel, int8: Int8Kernel): string {
  const r = requantizeInt8Weights(model.graph);
  if (r.kind === 'impossible') throw new Int8Problem(`${int8.why}, and its int8 weights go beyond ±64 but cannot be rescaled: ${r.why}`);
  if (r.kind === 'unchanged') return '';
  return `; int8 weights of ${r.matrices} matrices rescaled from ±${r.largestBefore} to ±64, one bit less precise, because this is an ${int8.why}`;
}

/** The original graph with its int8 weights fitted, cached beside the prepared ones. */
async function fittedOriginal(onnxPath: string, bytes: Uint8Array, int8: Int8Kernel, cacheDir: string, specKey: string, note: string, log: Logger): Promise<Prepared> {
  try {
    const model = parseModel(bytes);
    const fitted = fitInt8(model, int8);
    if (!fitted) return { path: undefined, note };
    relocateExternalData(model, onnxPath);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const original = join(cacheDir, fileName(hash, `${specKey}-original`));
    if (!(await touch(original))) await writeAtomically(original, model);
    log.info(`${onnxPath}: the original graph runs${fitted}`);
    return { path: undefined, note: `${note}${fitted}`, original };
  } catch (cause) {
    return int8Refused(onnxPath, cause instanceof Int8Problem ? cause.message : `${int8.why}, and its int8 weights could not be checked: ${describeCause(cause)}`, log);
  }
}

function int8Refused(onnxPath: string, why: string, log: Logger): Prepared {
  log.warn(`${onnxPath}: ${why}`);
  return { path: undefined, note: why, int8Problem: why };
}

async function writeAtomically(target: string, model: OnnxModel): Promise<void> {
  const partial = `${target}.${process.pid}.partial`;
  writeMessage(partial, encodeOnnxModel(model));
  await rename(partial, target);
}

const fileName = (hash: string, specKey: string) => `${hash.slice(0, 32)}-v${PREPARE_VERSION}-${specKey}.onnx`;

async function touch(path: string): Promise<boolean> {
  try {
    const now = new Date();
    await utimes(path, now, now);
    return true;
  } catch {
    return false;
  }
}

async function readIndex(dir: string): Promise<Record<string, string>> {
  try {
    const value: unknown = JSON.parse(await readFile(join(dir, INDEX), 'utf8'));
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

async function writeIndex(dir: string, index: Record<string, string>): Promise<void> {
  // The index only saves hashing; it is bounded like the files it points to.
  const entries = Object.entries(index).slice(-4 * MAX_PREPARED_FILES);
  const partial = join(dir, `${INDEX}.${process.pid}.partial`);
  await writeFile(partial, JSON.stringify(Object.fromEntries(entries)));
  await rename(partial, join(dir, INDEX));
}

async function prune(dir: string, log: Logger): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.onnx'));
  if (files.length <= MAX_PREPARED_FILES) return;
  const dated = await Promise.all(files.map(async (f) => ({ f, t: (await stat(join(dir, f))).mtimeMs })));
  dated.sort((a, b) => b.t - a.t);
  for (const { f } of dated.slice(MAX_PREPARED_FILES)) {
    await rm(join(dir, f), { force: true });
    log.info(`removed the prepared graph ${f}: more than ${MAX_PREPARED_FILES} are kept`);
  }
}
