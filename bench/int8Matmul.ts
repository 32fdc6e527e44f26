// Micro-benchmark behind the generator's choice of int8 weights (scripts/model/quantize.ts): one
// step's weight matmuls at GPT-2-small's shapes (12 layers of 768→3072→768→2304→768) as
// DynamicQuantizeLinear → MatMulInteger chains, int8 weights (±64) or uint8 weights (zero point
// 128), on ROWS rows (1: a decode step; 128: a prefill chunk). Prints the median and the fastest.
//   node out/bench/int8Matmul.js int8|uint8 [ROWS=1] [REPS=60]
// Under `valgrind --tool=none node --jitless` ONNX Runtime takes the kernels of CPUs without VNNI
// (emulated time: compare the two kinds, not the milliseconds).
import * as ort from 'onnxruntime-node';
import { DataType, encodeModel, type NodeDef, type TensorDef } from '../src/inference/onnx/protoWriter';

const kind = process.argv[2] as 'int8' | 'uint8';
if (kind !== 'int8' && kind !== 'uint8') throw new Error('usage: int8Matmul.js int8|uint8 [ROWS] [REPS]');
const rows = Number(process.argv[3] ?? 1);
const dims = [768, 3072, 768, 2304, 768];
const nodes: NodeDef[] = [];
const inits: TensorDef[] = [];
let x = 'x';
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
for (let l = 0; l < 12; l++) {
  for (let i = 0; i + 1 < dims.length; i++) {
    const [k, n] = [dims[i], dims[i + 1]];
    const base = `w${l}_${i}`;
    const q = new Uint8Array(k * n);
    for (let j = 0; j < q.length; j++) q[j] = kind === 'int8' ? ((Math.floor(rnd() * 129) - 64) & 0xff) : Math.floor(rnd() * 256);
    inits.push({ name: base, dataType: kind === 'int8' ? DataType.INT8 : DataType.UINT8, dims: [k, n], raw: q });
    const zp = new Uint8Array(n).fill(kind === 'int8' ? 0 : 128);
    inits.push({ name: `${base}_zp`, dataType: kind === 'int8' ? DataType.INT8 : DataType.UINT8, dims: [n], raw: zp });
    const sc = new Float32Array(n).fill(1 / (64 * Math.sqrt(k)));
    inits.push({ name: `${base}_s`, dataType: DataType.FLOAT, dims: [n], raw: new Uint8Array(sc.buffer) });
    const p = `${base}/`;
    nodes.push({ opType: 'DynamicQuantizeLinear', inputs: [x], outputs: [p + 'xq', p + 'xs', p + 'xz'], name: p + 'dql' });
    nodes.push({ opType: 'MatMulInteger', inputs: [p + 'xq', base, p + 'xz', `${base}_zp`], outputs: [p + 'mm'], name: p + 'mmi' });
    nodes.push({ opType: 'Cast', inputs: [p + 'mm'], outputs: [p + 'f'], name: p + 'cast', attrs: { to: { kind: 'int', value: DataType.FLOAT } } });
    nodes.push({ opType: 'Mul', inputs: [p + 'xs', `${base}_s`], outputs: [p + 'sc'], name: p + 'smul' });
    nodes.push({ opType: 'Mul', inputs: [p + 'f', p + 'sc'], outputs: [p + 'y'], name: p + 'mul' });
    x = p + 'y';
  }
}
const graph = { name: 'mm', nodes, initializers: inits, inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['n', 768] }], outputs: [{ name: x, elemType: DataType.FLOAT, shape: ['n', 768] }] };
const bytes = encodeModel({ irVersion: 8, opsetVersion: 17, producerName: 'p', producerVersion: '1', graph } as never).toBytes();
(async () => {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  const input = new ort.Tensor('float32', Float32Array.from({ length: rows * 768 }, () => rnd() - 0.5), [rows, 768]);
  const times: number[] = [];
  for (let i = 0; i < Number(process.argv[4] ?? 60); i++) {
    const t = process.hrtime.bigint();
    await s.run({ x: input });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`${[kind, 'rows', rows, 'median ms', times[times.length >> 1].toFixed(2), 'min', times[0].toFixed(2)].join(' ')}\n`);
})();
