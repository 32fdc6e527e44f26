// Shared by the unit tests: the repo root, the generated test models.
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel, findRepoRoot, TINY, TINY_B, type GenerateOptions } from '../../scripts/model/generate';
import { GhostwriterError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/logger';
import { InferenceEngine } from '../../src/inference/engine';

/** The folder holding this project's package.json (tests run from out/, bundled). */
export const repoRoot = findRepoRoot;

export const tinyModel = () => ensureModel('tiny', TINY);
export const tinyModelB = () => ensureModel('tiny-b', TINY_B);
export const layoutModel = (layout: NonNullable<GenerateOptions['layout']>) => ensureModel(`tiny-${layout}`, { ...TINY, layout });

/** A throw-away copy of a model folder, changed by `edit`, removed by the returned cleanup. */
export function modelCopy(source: string, edit: (dir: string) => void): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'ghostwriter-model-'));
  const dir = join(root, 'model');
  cpSync(source, dir, { recursive: true });
  edit(dir);
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Where tests keep prepared graphs: beside the generated models, reused across runs. */
export const preparedCacheDir = () => join(repoRoot(), '.cache', 'prepared');

export function loadEngine(modelDir: string, extra: Partial<Parameters<typeof InferenceEngine.load>[0]> = {}) {
  // fp32 unless asked: 'auto' on the CPU would pick the int8 file, and these tests compare against fp32 references.
  return InferenceEngine.load({ modelDir, modelFile: 'fp32', executionProvider: 'cpu', cacheDir: preparedCacheDir(), ...extra }, silentLogger);
}

/** The GhostwriterError `f` throws; fails when it throws nothing or something else. */
export function refusal(f: () => unknown): GhostwriterError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof GhostwriterError, String(err));
    return err;
  }
  assert.fail('not refused');
}
