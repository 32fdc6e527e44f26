// int8 on every x86 CPU: the decision from the CPU's flags (both kinds injected), the rescaling of
// int8 weights that use the full range, and what the engine loads in each case.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel, TINY } from '../../scripts/model/generate';
import { createLogger } from '../../src/core/logger';
import { parseDarwinSysctl, parseProcCpuinfo, type CpuFeatures } from '../../src/inference/cpuFeatures';
import { InferenceEngine } from '../../src/inference/engine';
import { int8KernelOf, type Int8Kernel } from '../../src/inference/int8Kernel';
import { encodeOnnxModel, parseModel, type OnnxGraph } from '../../src/inference/onnx/graph';
import { first, readFields } from '../../src/inference/onnx/protoReader';
import { DataType, encodeTensor, writeMessage } from '../../src/inference/onnx/protoWriter';
import { requantizeInt8Weights } from '../../src/inference/onnx/requantize';
import { prepareGraph } from '../../src/inference/prepare';
import { Int8UnsafeError } from '../../src/inference/session';
import { modelCopy } from './helpers';
import { relativeError } from './modelChecks';

/** Two /proc/cpuinfo flag lines as Linux prints them: an AVX2-only EPYC and one with AVX-512 VNNI. */
const AVX2_ONLY = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu vme sse sse2 ssse3 sse4_1 sse4_2 avx f16c avx2 bmi2\n';
const AVX512_VNNI = 'processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 avx512f avx512bw avx512vl avx512_vnni avx512_bf16\n';
const cpu = (text: string, arch = 'x64'): CpuFeatures => ({ arch, flags: parseProcCpuinfo(text), source: '/proc/cpuinfo' });
const SATURATES: Int8Kernel = int8KernelOf(cpu(AVX2_ONLY));
const EXACT: Int8Kernel = int8KernelOf(cpu(AVX512_VNNI));

const FULL = { ...TINY, int8Range: 'full' as const };
const fullRangeModel = () => ensureModel('tiny-int8-full', FULL);
const reducedModel = () => ensureModel('tiny', TINY);
const quantizedFile = (dir: string) => join(dir, 'onnx', 'model_quantized.onnx');

interface Tensor {
  dims: number[];
  type: number;
  raw: Uint8Array;
}

function tensors(graph: OnnxGraph): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, payload] of graph.initializers) {
    const f = readFields(payload);
    out.set(name, { dims: [], type: first(f, 2)?.int ?? 0, raw: first(f, 9)?.bytes ?? new Uint8Array(0) });
  }
  return out;
}

const int8s = (t: Tensor) => new Int8Array(t.raw.buffer, t.raw.byteOffset, t.raw.length);
const floats = (t: Tensor) => Array.from({ length: t.raw.length / 4 }, (_, i) => Buffer.from(t.raw).readFloatLE(4 * i));
const largest = (t: Tensor) => int8s(t).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const weightNames = (graph: OnnxGraph) => [...tensors(graph)].filter(([n, t]) => t.type === DataType.INT8 && n.endsWith('_quantized')).map(([n]) => n);

function graphOf(path: string): OnnxGraph {
  return parseModel(readFileSync(path)).graph;
}

/** `source` written to `target` with one initializer replaced. */
function withInitializer(source: string, target: string, name: string, dataType: number, dims: number[], raw: Uint8Array): void {
  const model = parseModel(readFileSync(source));
  model.graph.initializers.set(name, encodeTensor({ name, dataType: dataType as 3, dims, raw }).toBytes());
  writeMessage(target, encodeOnnxModel(model));
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, log: createLogger((level, message) => lines.push(`${level}: ${message}`)) };
}

describe('int8 on every x86 CPU', function () {
  this.timeout(120_000);

  describe('the decision, from the CPU flags', () => {
    it('reads Linux flag lines and macOS sysctl names', () => {
      assert.ok(parseProcCpuinfo(AVX2_ONLY)!.has('avx2'));
      assert.equal(parseProcCpuinfo(AVX2_ONLY)!.has('avx512_vnni'), false);
      assert.ok(parseProcCpuinfo(AVX512_VNNI)!.has('avx512_vnni'));
      assert.equal(parseProcCpuinfo('processor\t: 0\n'), undefined);
      const mac = parseDarwinSysctl('FPU SSE4.2 AVX1.0\nAVX2 BMI2 AVX512F AVX512VNNI\n');
      assert.ok(mac.has('avx512_vnni') && mac.has('avx2'));
      assert.ok(parseDarwinSysctl('AVX2 AVXVNNI').has('avx_vnni'));
    });

    it('x86 without VNNI (AVX2 only) saturates; AVX512-VNNI or AVX-VNNI do not; Arm does not; unknown flags count as saturating', () => {
      assert.equal(SATURATES.saturates, true);
      assert.match(SATURATES.why, /without VNNI/);
      assert.equal(EXACT.saturates, false);
      assert.match(EXACT.why, /avx512_vnni/);
      assert.equal(int8KernelOf(cpu('flags\t: avx2 avx_vnni\n')).saturates, false);
      assert.equal(int8KernelOf(cpu(AVX2_ONLY, 'arm64')).saturates, false);
      const unknown = int8KernelOf({ arch: 'x64', flags: undefined, source: 'nothing read on win32' });
      assert.equal(unknown.saturates, true);
      assert.match(unknown.why, /unknown/);
    });
  });

  describe('rescaling int8 weights', () => {
    it('halves every matrix beyond ±64 (ties to even) and doubles its scale; ±64 files are left alone', async () => {
      const before = graphOf(quantizedFile(await fullRangeModel()));
      const after = graphOf(quantizedFile(await fullRangeModel()));
      const result = requantizeInt8Weights(after);
      const names = weightNames(before);
      assert.deepEqual(result, { kind: 'requantized', matrices: names.length, largestBefore: 127 });
      const [b, a] = [tensors(before), tensors(after)];
      for (const name of names) {
        const [q, h] = [int8s(b.get(name)!), int8s(a.get(name)!)];
        assert.equal(largest(a.get(name)!), 64, name);
        for (let i = 0; i < q.length; i++) {
          // Within half a new step of q/2, and even where q/2 is a tie.
          assert.ok(Math.abs(h[i] - q[i] / 2) <= 0.5, `${name}[${i}]: ${q[i]} -> ${h[i]}`);
          if (q[i] % 2 !== 0) assert.equal(Math.abs(h[i] % 2), 0, `${name}[${i}]: ${q[i]} -> ${h[i]}`);
        }
        const scale = name.replace(/_quantized$/, '_scale');
        assert.deepEqual(floats(a.get(scale)!), floats(b.get(scale)!).map((s) => 2 * s), scale);
      }
      assert.deepEqual(requantizeInt8Weights(graphOf(quantizedFile(await reducedModel()))), { kind: 'unchanged', why: 'its int8 weights are within ±64' });
    });

    it('refuses, changing nothing, where a weight has a zero point or its scale is read elsewhere', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ghostwriter-int8-'));
      try {
        const source = quantizedFile(await fullRangeModel());
        const name = weightNames(graphOf(source))[0];
        const zero = name.replace(/_quantized$/, '_zero_point');
        const n = int8s(tensors(graphOf(source)).get(zero)!).length;
        const asymmetric = join(dir, 'zero-point.onnx');
        withInitializer(source, asymmetric, zero, DataType.INT8, [n], new Uint8Array(n).fill(3));
        const graph = graphOf(asymmetric);
        const copy = new Map(graph.initializers);
        const r = requantizeInt8Weights(graph);
        assert.equal(r.kind, 'impossible');
        assert.match((r as { why: string }).why, /zero point/);
        assert.deepEqual(graph.initializers, copy);

        const shared = graphOf(source);
        const scale = name.replace(/_quantized$/, '_scale');
        shared.nodes.push({ opType: 'Identity', domain: '', name: 'reads_the_scale', inputs: [scale], outputs: ['elsewhere'], rawAttrs: [] });
        const s = requantizeInt8Weights(shared);
        assert.equal(s.kind, 'impossible');
        assert.match((s as { why: string }).why, /also read by Identity reads_the_scale/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('what the engine loads', () => {
    let cacheDir: string;
    beforeEach(() => {
      cacheDir = mkdtempSync(join(tmpdir(), 'ghostwriter-prepared-'));
    });
    afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

    const load = (modelDir: string, int8: Int8Kernel, modelFile: 'quantized' | 'auto' | 'fp32', log = recordingLogger().log) =>
      InferenceEngine.load({ modelDir, modelFile, executionProvider: 'cpu', cacheDir, int8 }, log);

    /** The int8 matrices of the one prepared graph in the cache. */
    function preparedLargest(): number[] {
      const files = readdirSync(cacheDir).filter((f) => f.endsWith('.onnx'));
      assert.equal(files.length, 1, files.join());
      const g = graphOf(join(cacheDir, files[0]));
      return weightNames(g).map((n) => largest(tensors(g).get(n)!));
    }

    async function logitsOf(engine: InferenceEngine, text: string): Promise<Float32Array> {
      try {
        return await engine.logitsWithoutCache(engine.encode(text));
      } finally {
        await engine.release();
      }
    }

    it('without VNNI: the full-range file is rescaled in the prepared graph, says so, and stays close to fp32; with VNNI it is kept', async () => {
      const dir = await fullRangeModel();
      const { lines, log } = recordingLogger();
      const fitted = await load(dir, SATURATES, 'quantized', log);
      assert.match(fitted.info.onnxPath, /model_quantized\.onnx$/);
      assert.ok(preparedLargest().every((m) => m === 64), `${preparedLargest()}`);
      assert.ok(lines.some((l) => /rescaled from ±127 to ±64.*without VNNI/.test(l)), lines.join('\n'));
      const fittedLogits = await logitsOf(fitted, 'def fibonacci(n):');
      const reference = await logitsOf(await load(dir, EXACT, 'fp32'), 'def fibonacci(n):');
      assert.ok(relativeError(fittedLogits, reference) < 0.1, `relative error ${relativeError(fittedLogits, reference)}`);

      rmSync(cacheDir, { recursive: true, force: true });
      const kept = await load(dir, EXACT, 'quantized');
      await kept.release();
      assert.ok(preparedLargest().every((m) => m === 127), `${preparedLargest()}`);
    });

    it('an int8 file it cannot rescale: "quantized" is refused with what to do, "auto" loads the folder\'s fp32 file and says why', async () => {
      const { dir, cleanup } = modelCopy(await fullRangeModel(), (d) => {
        const file = quantizedFile(d);
        const name = weightNames(graphOf(file))[0].replace(/_quantized$/, '_zero_point');
        const n = int8s(tensors(graphOf(file)).get(name)!).length;
        withInitializer(file, file, name, DataType.INT8, [n], new Uint8Array(n).fill(1));
      });
      try {
        await assert.rejects(load(dir, SATURATES, 'quantized'), (err: unknown) => {
          assert.ok(err instanceof Int8UnsafeError);
          assert.match(err.message, /wrong suggestions on this CPU: x86 CPU without VNNI.*zero point.*ghostwriter\.modelFile/);
          return true;
        });
        const { lines, log } = recordingLogger();
        const engine = await load(dir, SATURATES, 'auto', log);
        await engine.release();
        assert.match(engine.info.onnxPath, /onnx[\\/]model\.onnx$/);
        assert.ok(lines.some((l) => /^warn: .*Loading .*model\.onnx instead/.test(l)), lines.join('\n'));
        // With VNNI the same file is exact as it is.
        const exact = await load(dir, EXACT, 'quantized');
        await exact.release();
        assert.match(exact.info.onnxPath, /model_quantized\.onnx$/);
      } finally {
        cleanup();
      }
    });

    it('a graph that cannot be prepared still runs with its int8 weights fitted', async () => {
      const { lines, log } = recordingLogger();
      const noSuchPast = { slots: [{ past: 'no_such_input', present: 'present.0.key', layout: 'BHTD' as const, heads: 2, headDim: 32 }], vocabSize: 50257 };
      const prepared = await prepareGraph(quantizedFile(await fullRangeModel()), noSuchPast, cacheDir, log, SATURATES);
      assert.equal(prepared.path, undefined);
      assert.ok(prepared.original, prepared.note);
      const g = graphOf(prepared.original);
      assert.ok(weightNames(g).every((n) => largest(tensors(g).get(n)!) === 64));
      assert.match(prepared.note, /could not be prepared.*rescaled from ±127 to ±64/);
      assert.ok(lines.some((l) => /the original graph runs; int8 weights/.test(l)), lines.join('\n'));
      const plain = await prepareGraph(quantizedFile(await fullRangeModel()), noSuchPast, cacheDir, log, EXACT);
      assert.equal(plain.original, undefined);
    });
  });
});

