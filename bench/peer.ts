// Child process entry: the same model folder run by @huggingface/transformers (transformers.js)
// offline, in a process of its own, so its ONNX Runtime and ours never share one.
//   Started by bench/peerRunner.ts with IPC; receives one PeerJob, sends one PeerMessage, exits.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { GenerateSample, PeerJob, PeerMessage, PeerResult } from './peerProtocol';
import { peakRssMb } from './procStats';

type Transformers = typeof import('@huggingface/transformers');
type Model = Awaited<ReturnType<Transformers['AutoModelForCausalLM']['from_pretrained']>>;
type Tokenizer = Awaited<ReturnType<Transformers['AutoTokenizer']['from_pretrained']>>;

const PACKAGE = '@huggingface/transformers';

/** Loaded at run time, never bundled: the package is ESM with native dependencies of its own. */
async function loadTransformers(): Promise<Transformers> {
  const specifier = PACKAGE;
  return (await import(specifier)) as Transformers;
}

function packageVersion(require: NodeRequire, name: string): string {
  const main = require.resolve(name);
  for (let dir = dirname(main); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? 'unknown';
    } catch {
      // not the package's folder yet
    }
  }
  return 'unknown';
}

async function run(job: PeerJob): Promise<PeerResult> {
  const tf = await loadTransformers();
  const require = createRequire(__filename);
  const transformersMain = require.resolve(PACKAGE);
  // The onnxruntime-node that transformers.js itself resolves (deduped with ours when the versions agree).
  const ortVersion = packageVersion(createRequire(transformersMain), 'onnxruntime-node');

  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = dirname(job.modelDir) + '/';
  const name = basename(job.modelDir);

  const t0 = performance.now();
  const tokenizer = await tf.AutoTokenizer.from_pretrained(name);
  const model = await tf.AutoModelForCausalLM.from_pretrained(name, { dtype: job.dtype, device: 'cpu' });
  const loadMs = performance.now() - t0;

  const generate = (text: string, maxNewTokens: number, sampling?: Sampling) => timedGenerate(tf, model, tokenizer, text, maxNewTokens, sampling);
  const prefill: Record<string, GenerateSample[]> = {};
  for (const { size, texts } of job.prefill) {
    prefill[size] = [];
    for (let i = 0; i < texts.length; i++) {
      const sample = await generate(texts[i], 1);
      if (i > 0) prefill[size].push(sample);
    }
  }
  const decode: Record<string, GenerateSample[]> = {};
  for (const { size, texts, newTokens } of job.decode) {
    decode[size] = [];
    for (const text of texts) decode[size].push(await generate(text, newTokens));
  }
  const firstSuggestion: GenerateSample[] = [];
  const { texts, maxNewTokens, ...sampling } = job.firstSuggestion;
  for (const text of texts) firstSuggestion.push(await generate(text, maxNewTokens, sampling));

  const rss = peakRssMb(process.pid);
  await model.dispose();
  return {
    name: PACKAGE,
    version: packageVersion(require, PACKAGE),
    ortVersion,
    modelFile: job.dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx',
    loadMs,
    ...(rss !== undefined ? { peakRssMb: rss } : {}),
    prefill,
    decode,
    firstSuggestion,
  };
}

interface Sampling {
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
}

/** Generation options in transformers.js's names: greedy unless sampling settings with a temperature are given. */
function samplingOptions(sampling: Sampling | undefined) {
  if (!sampling || sampling.temperature <= 0) return { do_sample: false };
  return { do_sample: true, temperature: sampling.temperature, top_k: sampling.topK, top_p: sampling.topP };
}

/** Tokenize + generate; a streamer timestamps each new token (its first put is the prompt). */
async function timedGenerate(tf: Transformers, model: Model, tokenizer: Tokenizer, text: string, maxNewTokens: number, sampling?: Sampling): Promise<GenerateSample> {
  const t0 = performance.now();
  const promptIds = tokenizer.encode(text, { add_special_tokens: false });
  const tokenizeMs = performance.now() - t0;
  const n = promptIds.length;
  const input_ids = new tf.Tensor('int64', BigInt64Array.from(promptIds, BigInt), [1, n]);
  const attention_mask = new tf.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
  const tokenAtMs: number[] = [];
  const newIds: number[] = [];
  let puts = 0;
  const streamer = {
    put(value: bigint[][]) {
      if (puts++ === 0) return; // the prompt
      tokenAtMs.push(performance.now() - t0);
      newIds.push(Number(value[0][0]));
    },
    end() {},
  };
  await model.generate({
    input_ids,
    attention_mask,
    max_new_tokens: maxNewTokens,
    ...samplingOptions(sampling),
    streamer: streamer as unknown as InstanceType<Transformers['BaseStreamer']>,
  } as unknown as Parameters<Model['generate']>[0]);
  return { promptIds, tokenizeMs, newIds, tokenAtMs };
}

const send = (message: PeerMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

process.once('message', (job: PeerJob) => {
  run(job)
    .then((result) => send({ type: 'result', result }))
    .catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
    .finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
