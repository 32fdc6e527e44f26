// Micro-benchmark of one step's weight matmuls, the part of a decode step that reads the weights:
// GPT-2-small's shapes (12 layers of 768→3072→768→2304→768) or Qwen2.5-Coder-0.5B's (24 layers:
// q 896→896, k and v 896→128, o 896→896, gate and up 896→4864, down 4864→896; `head` adds the
// 896→151,936 tied head), on ROWS rows (1: a decode step; 64: a prefill chunk while typing; 512:
// after a pause). Kinds:
// - int8 / uint8: DynamicQuantizeLinear → MatMulInteger chains as the exports and our generator
//   write them (int8 weights within ±64, or uint8 with zero point 128); ONNX Runtime fuses them.
// - nbits8: com.microsoft MatMulNBits with 8-bit weights (the same int8 values, zero point 128),
//   blocks of BLOCK (default 128), accuracy level 4 (activations quantized to int8 per block).
// - fp32: MatMul on the dequantized weights (four times the bytes).
// Prints the median and the fastest run, and the weight bytes read per run over the median (GB/s).
//   node out/bench/int8Matmul.js int8|uint8|nbits8|fp32 [ROWS=1] [REPS=60] [gpt2|qwen2|qwen2-head]
// Under `valgrind --tool=none node --jitless` ONNX Runtime takes the kernels of CPUs without VNNI
// (emulated time: compare the kinds, not the milliseconds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DataType, encodeModel, writeMessage, type NodeDef, type TensorDef } from '../src/inference/onnx/protoWriter';

type Kind = 'int8' | 'uint8' | 'nbits8' | 'fp32';
const KINDS: readonly Kind[] = ['int8', 'uint8', 'nbits8', 'fp32'];
const kind = process.argv[2] as Kind;
if (!KINDS.includes(kind)) throw new Error(`usage: int8Matmul.js ${KINDS.join('|')} [ROWS] [REPS] [gpt2|qwen2|qwen2-head]`);
const rows = Number(process.argv[3] ?? 1);
const reps = Number(process.argv[4] ?? 60);
const shape = process.argv[5] ?? 'gpt2';
const block = Number(process.env['BLOCK'] ?? 128);
// 2 GB of fp32 weights is more than this writer builds in memory (its messages are JS arrays).
if (kind === 'fp32' && shape === 'qwen2-head') throw new Error('fp32 with the head is 2 GB: run fp32 on qwen2 (the layers alone)');

const nodes: NodeDef[] = [];
const inits: TensorDef[] = [];
const outputs: string[] = [];
let weightBytes = 0;
let seed = 1;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
let made = 0;

/** y = x · W for a k×n weight of random int8 values within ±64, in this run's kind. */
function matmul(x: string, k: number, n: number): string {
  const base = `w${made++}`;
  const y = `${base}/y`;
  const q = Int8Array.from({ length: k * n }, () => Math.floor(rnd() * 129) - 64);
  const scale = 1 / (64 * Math.sqrt(k));
  const floats = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer);
  if (kind === 'fp32') {
    inits.push({ name: base, dataType: DataType.FLOAT, dims: [k, n], raw: floats(Float32Array.from(q, (v) => v * scale)) });
    nodes.push({ opType: 'MatMul', inputs: [x, base], outputs: [y], name: `${base}/mm` });
    weightBytes += 4 * k * n;
    return y;
  }
  weightBytes += k * n;
  if (kind === 'nbits8') {
    // [n, blocks, block]: column-major blocks of k, each byte the int8 value + 128 (the default zero point).
    const blocks = Math.ceil(k / block);
    const packed = new Uint8Array(n * blocks * block);
    for (let c = 0; c < n; c++) for (let r = 0; r < k; r++) packed[c * blocks * block + r] = q[r * n + c] + 128;
    inits.push({ name: base, dataType: DataType.UINT8, dims: [n, blocks, block], raw: packed });
    inits.push({ name: `${base}_s`, dataType: DataType.FLOAT, dims: [n * blocks], raw: floats(new Float32Array(n * blocks).fill(scale)) });
    const attrs = { K: k, N: n, bits: 8, block_size: block, accuracy_level: 4 };
    nodes.push({
      opType: 'MatMulNBits',
      domain: 'com.microsoft',
      inputs: [x, base, `${base}_s`],
      outputs: [y],
      name: `${base}/mm`,
      attrs: Object.fromEntries(Object.entries(attrs).map(([a, v]) => [a, { kind: 'int', value: v }])),
    });
    return y;
  }
  const signed = kind === 'int8';
  const type = signed ? DataType.INT8 : DataType.UINT8;
  inits.push({ name: base, dataType: type, dims: [k, n], raw: signed ? new Uint8Array(q.buffer) : Uint8Array.from(q, (v) => v + 128) });
  inits.push({ name: `${base}_zp`, dataType: type, dims: [n], raw: new Uint8Array(n).fill(signed ? 0 : 128) });
  inits.push({ name: `${base}_s`, dataType: DataType.FLOAT, dims: [n], raw: floats(new Float32Array(n).fill(scale)) });
  const p = `${base}/`;
  nodes.push({ opType: 'DynamicQuantizeLinear', inputs: [x], outputs: [p + 'xq', p + 'xs', p + 'xz'], name: p + 'dql' });
  nodes.push({ opType: 'MatMulInteger', inputs: [p + 'xq', base, p + 'xz', `${base}_zp`], outputs: [p + 'mm'], name: p + 'mmi' });
  nodes.push({ opType: 'Cast', inputs: [p + 'mm'], outputs: [p + 'f'], name: p + 'cast', attrs: { to: { kind: 'int', value: DataType.FLOAT } } });
  nodes.push({ opType: 'Mul', inputs: [p + 'xs', `${base}_s`], outputs: [p + 'sc'], name: p + 'smul' });
  nodes.push({ opType: 'Mul', inputs: [p + 'f', p + 'sc'], outputs: [y], name: p + 'mul' });
  return y;
}

const add = (a: string, b: string): string => {
  const y = `${a}+`;
  nodes.push({ opType: 'Add', inputs: [a, b], outputs: [y], name: `${y}/add` });
  return y;
};

/** The layers' weight matmuls in order; outputs no later matmul reads are graph outputs, so none is pruned. */
function build(): { x: string; width: number } {
  let x = 'x';
  if (shape === 'gpt2') {
    const dims = [768, 3072, 768, 2304, 768];
    for (let l = 0; l < 12; l++) for (let i = 0; i + 1 < dims.length; i++) x = matmul(x, dims[i], dims[i + 1]);
    return { x, width: 768 };
  }
  if (shape !== 'qwen2' && shape !== 'qwen2-head') throw new Error(`unknown shape ${shape}: gpt2, qwen2 or qwen2-head`);
  for (let l = 0; l < 24; l++) {
    outputs.push(matmul(x, 896, 128), matmul(x, 896, 128));
    const o = matmul(matmul(x, 896, 896), 896, 896);
    x = matmul(add(matmul(o, 896, 4864), matmul(o, 896, 4864)), 4864, 896);
  }
  if (shape === 'qwen2-head') x = matmul(x, 896, 151936);
  return { x, width: 896 };
}

const { x, width } = build();
const graph = {
  name: 'mm',
  nodes,
  initializers: inits,
  inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['n', width] }],
  outputs: [...outputs, x].map((name) => ({ name, elemType: DataType.FLOAT, shape: ['n', name === x ? 'out' : 'kv'] })),
};
// Written to a file in chunks: fp32 at Qwen's shapes is 2 GB, more than one JS buffer holds.
const dir = mkdtempSync(join(tmpdir(), 'gw-int8-matmul-'));
const file = join(dir, 'model.onnx');
writeMessage(file, encodeModel({ irVersion: 8, opsetVersion: 17, producerName: 'p', producerVersion: '1', graph, domainOpsets: { 'com.microsoft': 1 } }));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
(async () => {
  // The engine's thread settings (session.ts): two intra-op threads that do not spin.
  const s = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], intraOpNumThreads: 2, logSeverityLevel: 3, extra: { session: { 'intra_op.allow_spinning': '0' } } });
  const input = new ort.Tensor('float32', Float32Array.from({ length: rows * width }, () => rnd() - 0.5), [rows, width]);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    await s.run({ x: input });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const med = times[times.length >> 1];
  const fields = [kind, shape, 'rows', rows, kind === 'nbits8' ? `block ${block}` : '', 'median ms', med.toFixed(2), 'min', times[0].toFixed(2), 'weights MB', (weightBytes / 1e6).toFixed(0), 'GB/s', (weightBytes / med / 1e6).toFixed(1)];
  process.stdout.write(`${fields.filter((f) => f !== '').join(' ')}\n`);
})();
