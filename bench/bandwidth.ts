// Memory read bandwidth, measured in this run: the floor under decode speed (each decode step
// reads every weight once), so decode ms/token can be read as a multiple of it.
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface BandwidthResult {
  /** The best of the probes, GB/s (1 GB = 1e9 bytes). */
  readonly gbPerS: number;
  /** Best GB/s of each probe: one thread, then one worker per CPU at once over its own slice. */
  readonly probes: {
    readonly sumF64: number;
    readonly scan: number;
    readonly sumF64AllThreads: number;
    readonly scanAllThreads: number;
  };
  readonly bufferMb: number;
  readonly reps: number;
  readonly threads: number;
}

type Probe = 'sumF64' | 'scan';

/** Sums a Float64Array with four independent accumulators, so the adds do not wait on each other. */
function sumF64(a: Float64Array, from: number, to: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = from;
  for (; i + 3 < to; i += 4) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
  }
  for (; i < to; i++) s0 += a[i];
  return s0 + s1 + s2 + s3;
}

/** Looks for a byte the buffer does not hold: Buffer#indexOf is memchr, vectorised native code. */
function scan(bytes: Uint8Array, from: number, to: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).indexOf(0xff);
}

// Workers run the same two functions (their source is the above), timing themselves.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sumF64 = ${sumF64.toString()};
const scan = ${scan.toString()};
const f64 = new Float64Array(workerData.buffer);
const bytes = new Uint8Array(workerData.buffer);
parentPort.on('message', (probe) => {
  const t0 = performance.now();
  const r = probe === 'scan' ? scan(bytes, workerData.from * 8, workerData.to * 8) : sumF64(f64, workerData.from, workerData.to);
  parentPort.postMessage({ ms: performance.now() - t0, r });
});
`;

export async function measureBandwidth(bufferMb: number, reps: number): Promise<BandwidthResult> {
  const size = bufferMb * 1024 * 1024;
  const buffer = new SharedArrayBuffer(size);
  const f64 = new Float64Array(buffer);
  const bytes = new Uint8Array(buffer);
  // Touch every page (small values: no 0xff byte anywhere), so the probes read memory, not page faults.
  for (let i = 0; i < f64.length; i++) f64[i] = i & 7;

  const best = (ms: number[]) => size / 1e6 / Math.min(...ms);
  const single = (probe: Probe): number => {
    const run = () => (probe === 'scan' ? scan(bytes, 0, size) : sumF64(f64, 0, f64.length));
    run(); // warm-up (JIT)
    const ms: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      if (run() === -2) throw new Error('impossible'); // keeps the result live
      ms.push(performance.now() - t0);
    }
    return best(ms);
  };
  const sumOne = single('sumF64');
  const scanOne = single('scan');

  const threads = Math.max(1, cpus().length);
  const slice = Math.floor(f64.length / threads);
  const workers = Array.from(
    { length: threads },
    (_, k) => new Worker(WORKER_SOURCE, { eval: true, workerData: { buffer, from: k * slice, to: k === threads - 1 ? f64.length : (k + 1) * slice } }),
  );
  const all = async (probe: Probe): Promise<number> => {
    const round = () =>
      Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('error', reject);
              w.once('message', () => {
                w.off('error', reject);
                resolve();
              });
              w.postMessage(probe);
            }),
        ),
      );
    await round(); // warm-up in every worker
    const ms: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await round();
      ms.push(performance.now() - t0);
    }
    return best(ms);
  };
  try {
    const sumAll = await all('sumF64');
    const scanAll = await all('scan');
    const probes = { sumF64: sumOne, scan: scanOne, sumF64AllThreads: sumAll, scanAllThreads: scanAll };
    return { gbPerS: Math.max(...Object.values(probes)), probes, bufferMb, reps, threads };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
