// After a graph is prepared, the model file's bytes (as large as the model) are collected before
// ONNX Runtime loads the model beside them; a cache hit reads no file and collects nothing.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger';
import { collectGarbage } from '../../src/inference/collectGarbage';
import { resolveModelFolder } from '../../src/inference/model';
import { ModelSession } from '../../src/inference/session';
import { tinyModel } from './helpers';

type WithGc = { gc?: () => void };

describe('the model file\'s bytes after preparing the graph', function () {
  this.timeout(60_000);
  const saved = (globalThis as WithGc).gc;
  let dir: string;
  let collections: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ghostwriter-gc-'));
    collections = 0;
    (globalThis as WithGc).gc = () => void collections++;
  });
  afterEach(() => {
    (globalThis as WithGc).gc = saved;
    if (saved === undefined) delete (globalThis as WithGc).gc;
    rmSync(dir, { recursive: true, force: true });
  });

  it('are collected (two full collections) when the graph was prepared now; a cache hit reads no file and collects nothing', async () => {
    const folder = await resolveModelFolder(await tinyModel(), 'fp32');
    const first = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir: dir });
    await first.release();
    assert.equal(first.prepared, true, first.prepareNote);
    assert.equal(collections, 2);
    const again = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir: dir });
    await again.release();
    assert.match(again.prepareNote, /from the cache/);
    assert.equal(collections, 2, 'a cache hit collected');
  });

  it('nothing is collected, and nothing fails, where gc is not exposed (the CLI, tests)', () => {
    delete (globalThis as WithGc).gc;
    assert.equal(collectGarbage(), false);
    assert.equal(collections, 0);
  });
});
