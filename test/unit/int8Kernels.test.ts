// int8 results that do not depend on the CPU: the same graphs run here and on the int8 kernels of
// an x86 CPU without VNNI. Those are reached by running under valgrind, whose virtual CPU has AVX2
// but no AVX-512 (so no VNNI), whatever this machine has; the probe proves it each run. valgrind
// is a Debian package .ci/run installs: without it this test fails and says so, it never skips.
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel, TINY } from '../../scripts/model/generate';
import { encodeOnnxModel, parseModel } from '../../src/inference/onnx/graph';
import { writeMessage } from '../../src/inference/onnx/protoWriter';
import { requantizeInt8Weights } from '../../src/inference/onnx/requantize';
import { repoRoot } from './helpers';
import { relativeError } from './modelChecks';

const SATURATED = 32 * 32767;
const EXACT = 64 * 255 * 127;
const PROMPT = [4299, 12900, 261, 44456, 7, 77, 2599, 15496, 2159, 11, 318, 257];

interface Run {
  probe: number;
  logits: Map<string, Float32Array>;
}

function runChild(job: object, dir: string, names: string[], underValgrind: boolean): Promise<Run> {
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify({ ...job, outDir: dir }));
  const child = join(repoRoot(), 'out', 'test', 'unit', 'int8Child.js');
  // --jitless: V8's generated code is what valgrind handles worst; the child is short.
  const [file, args] = underValgrind ? ['valgrind', ['--tool=none', '--error-exitcode=0', '-q', process.execPath, '--jitless', child, jobFile]] : [process.execPath, [child, jobFile]];
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: repoRoot(), maxBuffer: 1 << 24 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || err.message}`));
      const probe = (JSON.parse(readFileSync(join(dir, 'probe.json'), 'utf8')) as { sum: number }).sum;
      const logits = new Map(names.map((n) => {
        const b = readFileSync(join(dir, `${n}.f32`));
        return [n, new Float32Array(b.buffer, b.byteOffset, b.length / 4)] as const;
      }));
      resolve({ probe, logits });
    });
  });
}


/** The relative error of each position's logits. */
function errorsByPosition(a: Float32Array, b: Float32Array): number[] {
  const vocab = a.length / PROMPT.length;
  return PROMPT.map((_, t) => relativeError(a.subarray(t * vocab, (t + 1) * vocab), b.subarray(t * vocab, (t + 1) * vocab)));
}

const worst = (xs: number[]) => Math.max(...xs);

describe('int8 on the kernels of x86 CPUs without VNNI (under valgrind, whose CPU has AVX2 and no AVX-512)', function () {
  this.timeout(600_000);
  let dir: string;
  let native: Run;
  let avx2: Run;

  before(async () => {
    try {
      execFileSync('valgrind', ['--version']);
    } catch {
      assert.fail('valgrind is not installed: this test needs it (apt-get install valgrind; .ci/run installs it)');
    }
    dir = mkdtempSync(join(tmpdir(), 'ghostwriter-int8-kernels-'));
    const reduced = await ensureModel('tiny', TINY);
    const full = await ensureModel('tiny-int8-full', { ...TINY, int8Range: 'full' });
    // The engine's fix for a full-range file, as the prepared graph gets it.
    const model = parseModel(readFileSync(join(full, 'onnx', 'model_quantized.onnx')));
    assert.equal(requantizeInt8Weights(model.graph).kind, 'requantized');
    writeMessage(join(dir, 'fitted.onnx'), encodeOnnxModel(model));
    const graphs = [
      { name: 'fp32', onnx: join(reduced, 'onnx', 'model.onnx') },
      { name: 'reduced', onnx: join(reduced, 'onnx', 'model_quantized.onnx') },
      { name: 'full', onnx: join(full, 'onnx', 'model_quantized.onnx') },
      { name: 'fitted', onnx: join(dir, 'fitted.onnx') },
    ];
    const job = { graphs, ids: PROMPT, nLayer: TINY.nLayer, nHead: TINY.nHead, nEmbd: TINY.nEmbd };
    const names = graphs.map((g) => g.name);
    native = await runChild(job, mkdtempSync(join(dir, 'native-')), names, false);
    avx2 = await runChild(job, mkdtempSync(join(dir, 'valgrind-')), names, true);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the probe: valgrind\'s CPU sums uint8 × int8 pairs in saturating 16-bit lanes (so these runs are the AVX2 kernels)', () => {
    assert.equal(avx2.probe, SATURATED, `255 × 127, 64 times: ${avx2.probe}`);
    // This machine's own sum depends on its CPU; either is a right answer for its kind.
    assert.ok([SATURATED, EXACT].includes(native.probe), `here: ${native.probe}`);
  });

  it('the generator\'s int8 file (±64) gives the same logits on both kernels', () => {
    const e = relativeError(avx2.logits.get('reduced')!, native.logits.get('reduced')!);
    assert.ok(e < 1e-4, `relative error ${e}`);
  });

  it('a full-range (±127) file is wrong on those kernels; the engine\'s rescaled copy is right on both', () => {
    const fp32 = native.logits.get('fp32')!;
    const broken = errorsByPosition(avx2.logits.get('full')!, fp32);
    const fittedAvx2 = errorsByPosition(avx2.logits.get('fitted')!, fp32);
    const fittedHere = errorsByPosition(native.logits.get('fitted')!, fp32);
    const show = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
    const label = `relative errors vs fp32 by position: full-range on AVX2 ${show(broken)}; rescaled on AVX2 ${show(fittedAvx2)}; rescaled here ${show(fittedHere)}`;
    console.log(`      ${label}`);
    assert.ok(relativeError(avx2.logits.get('fitted')!, native.logits.get('fitted')!) < 1e-4, label);
    assert.ok(worst(fittedAvx2) < 0.2, label);
    assert.ok(worst(broken) > 3 * worst(fittedAvx2), label);
  });
});
