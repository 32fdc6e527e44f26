// Prepares a model's graph once (see onnx/rewrite.ts) and keeps the result on disk, keyed by the
// ONNX file's content hash, the preparation version and the cache layout, so the next load
// skips the work. A file whose size and mtime are known is not hashed again.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCause } from '../core/errors';
import type { Logger } from '../core/logger';
import { encodeOnnxModel, parseModel } from './onnx/graph';
import { externalDataKey, relocateExternalData } from './onnx/externalData';
import { writeMessage } from './onnx/protoWriter';
import { rewriteForCache, type RewriteSpec } from './onnx/rewrite';

/** Bump when the rewrite changes, so graphs prepared by an older version are not reused. */
export const PREPARE_VERSION = 2;
/** Prepared files kept; the least recently used go first. A GPT-2-small one is ~500 MB. */
const MAX_PREPARED_FILES = 4;
const INDEX = 'index.json';

export type Prepared = { readonly path: string; readonly note: string } | { readonly path: undefined; readonly note: string };

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || (process.env['HOME'] ? join(process.env['HOME'], '.cache') : tmpdir());
  return join(base, 'ghostwriter', 'prepared');
}

/** The prepared graph's path, or undefined and why when this graph cannot be prepared. */
export async function prepareGraph(onnxPath: string, spec: RewriteSpec, cacheDir: string, log: Logger): Promise<Prepared> {
  const t0 = Date.now();
  const specKey = createHash('sha256').update(JSON.stringify(spec) + externalDataKey(onnxPath)).digest('hex').slice(0, 12);
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
    const bytes = await readFile(onnxPath);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const target = join(cacheDir, fileName(hash, specKey));
    if (!(await touch(target))) {
      const model = parseModel(bytes);
      relocateExternalData(model, onnxPath);
      const result = rewriteForCache(model, spec);
      const partial = `${target}.${process.pid}.partial`;
      writeMessage(partial, encodeOnnxModel(model));
      await rename(partial, target);
      log.info(`prepared ${onnxPath} in ${Date.now() - t0} ms (logits: ${result.logits === 'head' ? 'head on the last position' : 'last row of the output'}${result.inlinedBranch ? ', with-past branch inlined' : ''})`);
    }
    await writeIndex(cacheDir, { ...index, [statKey]: hash });
    await prune(cacheDir, log);
    return { path: target, note: `prepared graph (${Date.now() - t0} ms)` };
  } catch (cause) {
    const note = `the graph could not be prepared (${describeCause(cause)}); running the original graph, which returns the whole KV cache every step`;
    log.warn(`${onnxPath}: ${note}`);
    return { path: undefined, note };
  }
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
