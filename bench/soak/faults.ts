// The soak's faults: what they are, when they come (a seeded schedule), and the model folders
// they swap between (a second folder of hard links, so the swap changes folder and file without
// copying hundreds of MB; corrupt folders change one file, replaced, never written through a link).
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile } from '../../src/core/config';
import type { Rng } from '../../src/inference/rng';

export type FaultKind = 'kill-prefill' | 'kill-decode' | 'swap' | 'corrupt' | 'idle-unload';
export const FAULT_KINDS: readonly FaultKind[] = ['kill-prefill', 'kill-decode', 'swap', 'corrupt', 'idle-unload'];

export type CorruptionKind = 'onnx' | 'tokenizer' | 'config';
export const CORRUPTIONS: readonly CorruptionKind[] = ['onnx', 'tokenizer', 'config'];

export interface PlannedFault {
  /** The fault comes before this request (0-based), or as soon after as the fault before it has recovered. */
  readonly atRequest: number;
  readonly kind: FaultKind;
  readonly corruption?: CorruptionKind;
}

const isKill = (k: FaultKind) => k === 'kill-prefill' || k === 'kill-decode';
const isLoad = (k: FaultKind) => k === 'swap' || k === 'corrupt';

/**
 * `count` faults spread over the requests with seeded jitter, leaving the last part of the run to
 * show recovery. Every kind comes once before any comes twice (count >= 5 covers all), in a
 * seeded order in which no three kills come without a load (swap or corrupt) between: a third crash
 * within a minute is the client's designed give-up (an error state until Reload Model), which the
 * fault tests cover; the soak is about the system living through its faults.
 */
export function faultSchedule(requests: number, count: number, random: Rng): PlannedFault[] {
  const kinds: FaultKind[] = [];
  let pool: FaultKind[] = [];
  while (kinds.length < count) {
    if (pool.length === 0) pool = shuffle([...FAULT_KINDS], random);
    // Kills since the last load (a load() starts the client's crash count afresh; an idle unload does not).
    const lastLoad = Math.max(kinds.lastIndexOf('swap'), kinds.lastIndexOf('corrupt'));
    const twoKills = kinds.slice(lastLoad + 1).filter(isKill).length >= 2;
    let i = 0;
    if (twoKills && isKill(pool[0])) {
      i = pool.findIndex(isLoad);
      if (i < 0) i = pool.findIndex((k) => !isKill(k));
    }
    kinds.push(i < 0 ? 'swap' : pool.splice(i, 1)[0]);
  }
  let corruption = Math.floor(random() * CORRUPTIONS.length);
  const span = (requests * 0.85) / (count + 1);
  return kinds.map((kind, k) => {
    const atRequest = Math.min(requests - 1, Math.max(1, Math.round(span * (k + 1) + (random() - 0.5) * span * 0.5)));
    return kind === 'corrupt' ? { atRequest, kind, corruption: CORRUPTIONS[corruption++ % CORRUPTIONS.length] } : { atRequest, kind };
  });
}

function shuffle<T>(items: T[], random: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** One model the soak serves: a folder and the file in it. */
export interface ModelChoice {
  readonly dir: string;
  readonly modelFile: ModelFile;
}

/** A folder of hard links to every file of `source` (a second folder naming the same bytes). */
export function linkedCopy(source: string, target: string): string {
  rmSync(target, { recursive: true, force: true });
  const walk = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) {
      const f = join(from, name);
      if (statSync(f).isDirectory()) walk(f, join(to, name));
      else linkSync(f, join(to, name));
    }
  };
  walk(source, target);
  return target;
}

/** A linked copy of `source` with one file broken as `kind` says; the link is removed before writing, so `source` stays whole. */
export function corruptCopy(source: string, target: string, kind: CorruptionKind, modelFile: ModelFile): string {
  linkedCopy(source, target);
  const replace = (rel: string, content: Buffer | string) => {
    rmSync(join(target, rel));
    writeFileSync(join(target, rel), content);
  };
  if (kind === 'onnx') {
    const rel = join('onnx', modelFile === 'quantized' ? 'model_quantized.onnx' : 'model.onnx');
    replace(rel, head(join(source, rel), 5000));
  } else if (kind === 'tokenizer') {
    replace('tokenizer.json', readFileSync(join(source, 'tokenizer.json')).subarray(0, 2000));
  } else {
    // One layer more than the graph has: the engine must refuse it by name, not run off the end.
    const config = JSON.parse(readFileSync(join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
    config['n_layer'] = Number(config['n_layer'] ?? 0) + 1;
    replace('config.json', JSON.stringify(config));
  }
  return target;
}

/** The first `bytes` of a file, without reading the rest (a model file is hundreds of MB). */
function head(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

export function hasQuantized(dir: string): boolean {
  return existsSync(join(dir, 'onnx', 'model_quantized.onnx'));
}
