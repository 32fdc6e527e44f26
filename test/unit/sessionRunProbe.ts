// Preloaded into the inference process (`--require`, forkInference's execArgv) by the typing-storm
// test: counts ONNX Runtime session.run calls in flight. Every decode and prefill step of any
// generation is one run, so two generations at once would show as two runs at once. It also sees
// the requests come in and the answers go out, so it counts the runs a request started after it
// went stale (its abort, or a newer completion, arrived) and before it ended. It speaks over the
// process's own IPC channel as 'log' lines (with the most live memory it saw every few runs, resident and in
// array buffers, where the KV states live), which the client passes to the test's logger.
import Module from 'node:module';

interface Ort {
  InferenceSession: { prototype: { run: (...args: unknown[]) => Promise<unknown> } };
}

const counts = { runs: 0, inFlight: 0, most: 0, stale: 0, mostAfterStale: 0, rssMb: 0, buffersMb: 0, baseRssMb: -1, baseBuffersMb: -1 };
/** Completions asked for and not yet answered. */
const open = new Set<number>();
/** Per open completion that went stale: the run count then. */
const staleAt = new Map<number, number>();
/** A report every this many runs, so the test sees the probe working without a line per step. */
const EVERY = 50;

/** The process's own send, before the wrapper below. */
const send = process.send!.bind(process);
const say = (level: 'info' | 'error', message: string) => send({ type: 'log', level, message: `[run-probe] ${message}` });
/** Live memory (after a full collection: the test forks this process with --expose-gc), the most seen. */
function sample(): void {
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  counts.rssMb = Math.max(counts.rssMb, Math.round(memory.rss / 2 ** 20));
  counts.buffersMb = Math.max(counts.buffersMb, Math.round(memory.arrayBuffers / 2 ** 20));
}

const report = () =>
  say('info', `runs ${counts.runs}, at most ${counts.most} at once; ${counts.stale} stale requests ended, at most ${counts.mostAfterStale} runs started after going stale; at most ${counts.rssMb} MiB resident, ${counts.buffersMb} MiB in array buffers, from ${counts.baseRssMb} and ${counts.baseBuffersMb} before the first request`);

// Registered before the server's listener (this file is preloaded), so a request is seen as it arrives.
process.on('message', (m: { type?: string; id?: number }) => {
  if (typeof m?.id !== 'number') return;
  const stale = (id: number) => open.has(id) && !staleAt.has(id) && staleAt.set(id, counts.runs);
  if (m.type === 'abort') stale(m.id);
  if (m.type === 'complete') {
    if (counts.baseRssMb < 0) {
      // The model loaded, nothing asked yet: what requests (the KV pool among them) add is measured from here.
      (globalThis as { gc?: () => void }).gc?.();
      const memory = process.memoryUsage();
      counts.baseRssMb = Math.round(memory.rss / 2 ** 20);
      counts.baseBuffersMb = Math.round(memory.arrayBuffers / 2 ** 20);
    }
    for (const id of open) if (id < m.id) stale(id);
    open.add(m.id);
  }
});
process.send = ((message: { type?: string; id?: number }, ...rest: unknown[]) => {
  const id = message?.id;
  if (typeof id === 'number' && open.has(id) && (message.type === 'completed' || message.type === 'aborted' || message.type === 'error')) {
    open.delete(id);
    const at = staleAt.get(id);
    if (at !== undefined) {
      staleAt.delete(id);
      counts.stale++;
      counts.mostAfterStale = Math.max(counts.mostAfterStale, counts.runs - at);
      if (counts.stale % EVERY === 0) report();
    }
  }
  return (send as (...args: unknown[]) => boolean)(message, ...rest);
}) as typeof process.send;

function wrap(ort: Ort): void {
  const proto = ort.InferenceSession.prototype;
  if ((proto.run as { probed?: boolean }).probed) return;
  const run = proto.run;
  const probed = async function (this: unknown, ...args: unknown[]) {
    counts.runs++;
    if (counts.runs % EVERY === 0) sample();
    counts.most = Math.max(counts.most, ++counts.inFlight);
    if (counts.inFlight > 1) say('error', `${counts.inFlight} session runs at once`);
    try {
      return await run.apply(this, args);
    } finally {
      counts.inFlight--;
      if (counts.runs % EVERY === 0) report();
    }
  };
  Object.assign(probed, { probed: true });
  proto.run = probed;
}

const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  const exported = load.call(this, request, ...rest);
  if (request === 'onnxruntime-node') wrap(exported as Ort);
  return exported;
};
