// Run by int8Kernels.test.ts, natively and under valgrind (whose CPU has AVX2 but no AVX-512, so
// ONNX Runtime takes its int8 kernels for CPUs without VNNI): a probe of the uint8 × int8 sum and
// every position's logits of int8 graphs, written to files for the test to compare.
//   node out/test/unit/int8Child.js JOB.json   JOB: { outDir, probe: true, graphs: [{ name, onnx }], ids, nLayer, nHead, nEmbd }
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DataType, encodeModel } from '../../src/inference/onnx/protoWriter';

interface Job {
  outDir: string;
  graphs: { name: string; onnx: string }[];
  ids: number[];
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

/** 64 products of 255 and 127: 2072640 with 32-bit sums, 32 × 32767 where pairs saturate at 16 bits. */
async function probe(): Promise<number> {
  const k = 64;
  const graph = {
    name: 'probe',
    nodes: [{ opType: 'MatMulInteger', inputs: ['a', 'b'], outputs: ['y'], name: 'product' }],
    initializers: [{ name: 'b', dataType: DataType.INT8, dims: [k, 1], raw: new Uint8Array(k).fill(127) }],
    inputs: [{ name: 'a', elemType: DataType.UINT8, shape: [1, k] }],
    outputs: [{ name: 'y', elemType: DataType.INT32, shape: [1, 1] }],
  };
  const bytes = encodeModel({ irVersion: 8, opsetVersion: 17, producerName: 'int8-probe', producerVersion: '1', graph }).toBytes();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const out = await session.run({ a: new ort.Tensor('uint8', new Uint8Array(k).fill(255), [1, k]) });
  return Number((out.y as ort.Tensor).data[0]);
}

const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);

async function logitsOf(job: Job, onnx: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'] });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(job.ids),
    attention_mask: int64(job.ids.map(() => 1)),
    position_ids: int64(job.ids.map((_, i) => i)),
  };
  for (let i = 0; i < job.nLayer; i++) {
    for (const kind of ['key', 'value']) feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [1, job.nHead, 0, job.nEmbd / job.nHead]);
  }
  return ((await session.run(feeds, ['logits'])).logits as ort.Tensor).data as Float32Array;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
  writeFileSync(join(job.outDir, 'probe.json'), JSON.stringify({ sum: await probe() }));
  for (const g of job.graphs) {
    const logits = await logitsOf(job, g.onnx);
    writeFileSync(join(job.outDir, `${g.name}.f32`), new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
