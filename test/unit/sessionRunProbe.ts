// Preloaded into the inference process (`--require`, forkInference's execArgv) by the typing-storm
// test: counts ONNX Runtime session.run calls in flight. Every decode and prefill step of any
// generation is one run, so two generations at once would show as two runs at once. It speaks over
// the process's own IPC channel as 'log' lines, which the client passes to the test's logger.
import Module from 'node:module';

interface Ort {
  InferenceSession: { prototype: { run: (...args: unknown[]) => Promise<unknown> } };
}

const counts = { runs: 0, inFlight: 0, most: 0 };
/** A report every this many runs, so the test sees the probe working without a line per step. */
const EVERY = 50;

const say = (level: 'info' | 'error', message: string) => process.send?.({ type: 'log', level, message: `[run-probe] ${message}` });
const report = () => say('info', `runs ${counts.runs}, at most ${counts.most} at once`);

function wrap(ort: Ort): void {
  const proto = ort.InferenceSession.prototype;
  if ((proto.run as { probed?: boolean }).probed) return;
  const run = proto.run;
  const probed = async function (this: unknown, ...args: unknown[]) {
    counts.runs++;
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
