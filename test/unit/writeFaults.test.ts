// A write that fails mid-file while downloading a model or installing the GPU libraries: nothing
// half-written is used, the error says it is the disk, and the next try resumes or starts clean.
// The failure is real: the download or install runs in a child process whose shell set a file
// size limit (ulimit -f), so the kernel refuses the write that crosses it (EFBIG).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '../../src/core/engineClient';
import { inferenceEnv } from '../../src/core/inferenceEnv';
import { createLogger } from '../../src/core/logger';
import { createSnapshot } from '../../src/core/snapshot';
import { repoRoot, tinyModel } from './helpers';
import { commitFor, HubStandIn } from './hubStandIn';
import { buildZip, fakeSo, gpuPackageEntries, LIBS } from './nugetStandIn';

interface Outcome {
  readonly ok?: boolean;
  readonly code?: string;
  readonly message?: string;
}

/** Runs writeFaultRunner.js on `job`, with at most `limitKiB` KiB per file written when given (asynchronously: the stand-ins answer from this process). */
function run(job: Record<string, unknown>, limitKiB?: number): Promise<Outcome> {
  const runner = join(repoRoot(), 'out', 'test', 'unit', 'writeFaultRunner.js');
  const script = `${limitKiB ? `ulimit -f ${limitKiB}; ` : ''}exec "${process.execPath}" "${runner}" "$0"`;
  const child = spawn('bash', ['-c', script, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`runner exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Outcome);
    });
  });
}

const files = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : [];

describe('write errors mid-file (a real file size limit in a child process)', function () {
  this.timeout(120_000);
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'ghostwriter-write-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('a model download that cannot be written says the disk is full, leaves nothing in the snapshot, and the next try resumes', async () => {
    const REPO = 'Xenova/gpt2';
    const QUANTIZED = 'onnx/model_quantized.onnx';
    const standIn = await new HubStandIn({ [REPO]: { dir: await tinyModel() } }).start();
    try {
      const cacheRoot = join(tmp, 'hub');
      const job = { kind: 'hub', endpoint: standIn.url, cacheRoot, repo: REPO };
      const served = standIn.file(REPO, QUANTIZED);
      const limit = 4096;
      assert.ok(served.bytes.length > limit * 1024, 'the ONNX file is larger than the limit');
      const failed = await run(job, limit);
      assert.equal(failed.code, 'disk-full', failed.message);
      assert.match(failed.message ?? '', /The disk holding the Hugging Face cache .* is full while downloading onnx\/model_quantized\.onnx/);
      const repoDir = join(cacheRoot, 'models--Xenova--gpt2');
      const snapshot = join(repoDir, 'snapshots', commitFor(REPO));
      assert.ok(!existsSync(join(snapshot, QUANTIZED)), 'no half file in the snapshot');
      assert.ok(!existsSync(join(repoDir, 'refs', 'main')), 'the revision is not recorded as downloaded');
      const incomplete = join(repoDir, 'blobs', `${served.sha256}.incomplete`);
      const partial = statSync(incomplete).size;
      assert.ok(partial > 0 && partial <= limit * 1024, `partial ${partial}`);

      standIn.requests.length = 0;
      assert.deepEqual(await run(job), { ok: true });
      assert.ok(standIn.requests.some((q) => q.range === `bytes=${partial}-`), `resumed from byte ${partial}: ${JSON.stringify(standIn.requests.map((q) => q.range))}`);
      assert.deepEqual(readFileSync(join(snapshot, QUANTIZED)), served.bytes);
      assert.ok(!files(repoDir).some((f) => f.endsWith('.incomplete')));
    } finally {
      await standIn.close();
    }
  });

  it('GPU libraries that cannot be written: the disk is named as full, nothing is placed or left behind, the next try installs', async () => {
    const version = '1.30.0';
    const bindingDir = join(tmp, 'bin', 'napi-v6', 'linux', 'x64');
    mkdirSync(bindingDir, { recursive: true });
    writeFileSync(join(bindingDir, 'libonnxruntime.so.1'), fakeSo('libonnxruntime.so.1', 1000));
    // The CUDA library larger than the limit, the others under it.
    const entries = gpuPackageEntries(version).map((e) => (e.name.endsWith('providers_cuda.so') ? { ...e, data: fakeSo('libonnxruntime_providers_cuda.so', 2 << 20) } : e));
    const nupkgPath = join(tmp, 'pkg.nupkg');
    writeFileSync(nupkgPath, buildZip(entries));
    const job = { kind: 'gpu', version, bindingDir, nupkgPath };
    const failed = await run(job, 1024);
    assert.equal(failed.code, 'disk-full', failed.message);
    assert.match(failed.message ?? '', /The disk holding .* is full: the CUDA provider libraries need \d+ MB\. Nothing was installed\./);
    assert.deepEqual(files(bindingDir), ['libonnxruntime.so.1'], 'no library and no temporary file');

    assert.deepEqual(await run(job), { ok: true });
    assert.deepEqual(files(bindingDir), ['libonnxruntime.so.1', ...LIBS].sort());
    assert.ok(readFileSync(join(bindingDir, 'libonnxruntime_providers_cuda.so')).equals(fakeSo('libonnxruntime_providers_cuda.so', 2 << 20)));
  });

  it('a prepared graph that cannot be written is never used: the model runs its original graph, and the next load prepares it', async () => {
    const cacheDir = join(tmp, 'prepared');
    const script = join(repoRoot(), 'dist', 'inference.js');
    const lines: string[] = [];
    const log = createLogger((level, m) => lines.push(`${level} ${m}`));
    const load = async (limitKiB?: number) => {
      // The inference process as forkInference starts it, from a shell that may set the limit.
      const client = new EngineClient(
        () => spawn('bash', ['-c', `${limitKiB ? `ulimit -f ${limitKiB}; ` : ''}exec "${process.execPath}" "${script}"`], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: inferenceEnv() }),
        log,
      );
      try {
        await client.load({ modelDir: await tinyModel(), modelFile: 'fp32', executionProvider: 'cpu', cacheDir });
        const snapshot = createSnapshot({ prefix: 'def f(x):', suffix: '', languageId: 'python', path: 'x.py', version: 1 });
        const result = await client.complete(snapshot, { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxNewTokens: 4, contextTokens: 64, timeoutMs: 60_000, newline: 'none', numReturnSequences: 1, seed: 1 }, new AbortController().signal);
        return result?.completions[0].tokenIds;
      } finally {
        client.dispose();
      }
    };
    const limited = await load(2048);
    assert.equal(limited?.length, 4, 'the model answered from its original graph');
    assert.ok(lines.some((l) => /^warn .*model\.onnx: the graph could not be prepared \(.*EFBIG.*\); running the original graph/.test(l)), lines.join('\n'));
    assert.deepEqual(files(cacheDir).filter((f) => f.endsWith('.onnx')), [], 'no prepared graph was kept from the failed write');
    lines.length = 0;
    const prepared = await load();
    assert.deepEqual(prepared, limited, 'the prepared graph gives the same tokens');
    assert.ok(lines.some((l) => /^info .*prepared .*model\.onnx in \d+ ms/.test(l)), `prepared anew, not taken from the cache: ${lines.join('\n')}`);
    assert.equal(files(cacheDir).filter((f) => f.endsWith('.onnx')).length, 1);
  });
});
