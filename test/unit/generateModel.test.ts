import { parseModel, tensorDims, type OnnxNode } from '../../src/inference/onnx/graph';
import { first, readFields } from '../../src/inference/onnx/protoReader';
import { DataType } from '../../src/inference/onnx/protoWriter';
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type * as Gpt3Encoder from 'gpt-3-encoder';
import * as ort from 'onnxruntime-node';
import {
  ensureModel,
  findRepoRoot,
  generateModel,
  GENERATOR_VERSION,
  onnxFileName,
  quantizedOnnxFileName,
  TINY,
  TINY_B,
  seededWeights,
  type GenerateOptions,
  type ModelLayout,
  type ParamRole,
} from '../../scripts/model/generate';
import { quantizeColumns, quantizeTransposed } from '../../scripts/model/quantize';
import { relativeError } from './modelChecks';

const VOCAB = 50257;
type Outputs = ort.InferenceSession.ReturnType;

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** Loaded at run time: the package reads its data files relative to its own folder. */
function gpt3Encoder(): typeof Gpt3Encoder {
  return createRequire(join(findRepoRoot(), 'package.json'))('gpt-3-encoder') as typeof Gpt3Encoder;
}

const int64 = (rows: number[][]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

interface Step {
  ids: number[][];
  /** Defaults to all ones over past + new tokens. */
  mask?: number[][];
  /** Defaults to pastLen .. pastLen+seq-1 for each row. */
  positions?: number[][];
  past?: Outputs;
  useCacheBranch?: boolean;
}

/** Feeds in the Optimum GPT-2 signature; a missing past is the zero-length past of a first step. */
function feeds(opts: GenerateOptions, step: Step): Record<string, ort.Tensor> {
  const layout = opts.layout ?? 'model';
  const [batch, seq] = [step.ids.length, step.ids[0].length];
  const pastLen = step.past ? (step.past['present.0.key'] as ort.Tensor).dims[2] : 0;
  const headDim = opts.nEmbd / opts.nHead;
  const f: Record<string, ort.Tensor> = {
    input_ids: int64(step.ids),
    attention_mask: int64(step.mask ?? step.ids.map(() => Array<number>(pastLen + seq).fill(1))),
  };
  if (layout !== 'legacy') f.position_ids = int64(step.positions ?? step.ids.map(() => step.ids[0].map((_, i) => pastLen + i)));
  for (let i = 0; i < opts.nLayer; i++) {
    for (const kind of ['key', 'value']) {
      f[`past_key_values.${i}.${kind}`] =
        (step.past?.[`present.${i}.${kind}`] as ort.Tensor | undefined) ??
        new ort.Tensor('float32', new Float32Array(0), [batch, opts.nHead, 0, headDim]);
    }
  }
  if (layout === 'merged') f.use_cache_branch = new ort.Tensor('bool', Uint8Array.of((step.useCacheBranch ?? pastLen > 0) ? 1 : 0), [1]);
  return f;
}

/** Logits of one row at one position. */
function logitsAt(out: Outputs, row: number, pos: number): Float32Array {
  const t = out.logits as ort.Tensor;
  const offset = (row * t.dims[1] + pos) * VOCAB;
  return (t.data as Float32Array).subarray(offset, offset + VOCAB);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmaxAndMargin(row: Float32Array): { best: number; margin: number } {
  let best = 0;
  for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
  let second = -Infinity;
  for (let v = 0; v < row.length; v++) if (v !== best) second = Math.max(second, row[v]);
  return { best, margin: row[best] - second };
}

async function greedy(session: ort.InferenceSession, opts: GenerateOptions, prompt: number[], n: number): Promise<number[]> {
  const tokens: number[] = [];
  let out = await session.run(feeds(opts, { ids: [prompt] }));
  for (let i = 0; i < n; i++) {
    const { best, margin } = argmaxAndMargin(logitsAt(out, 0, (out.logits as ort.Tensor).dims[1] - 1));
    assert.ok(margin > 1e-4, `top-2 logit margin ${margin} is ~0`);
    tokens.push(best);
    out = await session.run(feeds(opts, { ids: [[best]], past: out }));
  }
  return tokens;
}

// ---- an independent float64 GPT-2 forward pass, to check the graph computes GPT-2 -----------------

type Vec = Float64Array;

function layerNormRef(x: Vec, gamma: Float32Array, beta: Float32Array): Vec {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[i] + beta[i]);
}

/** x @ W + b with W stored [in, out], as GPT-2's Conv1D. */
function linearRef(x: Vec, w: Float32Array, b: Float32Array): Vec {
  const out = Float64Array.from(b);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < out.length; j++) out[j] += x[i] * w[i * out.length + j];
  return out;
}

const geluNewRef = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

function attentionRef(qkv: Vec[], nHead: number): Vec[] {
  const e = qkv[0].length / 3;
  const d = e / nHead;
  return qkv.map((row, t) => {
    const out = new Float64Array(e);
    for (let h = 0; h < nHead; h++) {
      const dot = (s: number) => {
        let acc = 0;
        for (let k = 0; k < d; k++) acc += row[h * d + k] * qkv[s][e + h * d + k];
        return acc / Math.sqrt(d);
      };
      const scores = Array.from({ length: t + 1 }, (_, s) => dot(s));
      const max = Math.max(...scores);
      const weights = scores.map((v) => Math.exp(v - max));
      const total = weights.reduce((x, y) => x + y, 0);
      for (let s = 0; s <= t; s++) for (let k = 0; k < d; k++) out[h * d + k] += (weights[s] / total) * qkv[s][2 * e + h * d + k];
    }
    return out;
  });
}

/** Logits at every position of one unpadded sequence. */
function gpt2Reference(opts: GenerateOptions, ids: number[]): Vec[] {
  const weights = seededWeights(opts.seed);
  const e = opts.nEmbd;
  const w = (name: string, dims: number[], role: ParamRole) => weights({ name, dims, role });
  const wte = w('transformer.wte.weight', [VOCAB, e], 'wte');
  const wpe = w('transformer.wpe.weight', [opts.nPositions, e], 'wpe');
  const ln = (x: Vec, name: string) => layerNormRef(x, w(`${name}.weight`, [e], 'gamma'), w(`${name}.bias`, [e], 'beta'));
  const linear = (x: Vec, name: string, nIn: number, nOut: number, role: ParamRole) =>
    linearRef(x, w(`${name}.weight`, [nIn, nOut], role), w(`${name}.bias`, [nOut], 'bias'));
  let h = ids.map((id, t) => Float64Array.from({ length: e }, (_, i) => wte[id * e + i] + wpe[t * e + i]));
  for (let l = 0; l < opts.nLayer; l++) {
    const p = `transformer.h.${l}`;
    const attn = attentionRef(h.map((x) => linear(ln(x, `${p}.ln_1`), `${p}.attn.c_attn`, e, 3 * e, 'matrix')), opts.nHead);
    h = h.map((x, t) => x.map((v, i) => v + linear(attn[t], `${p}.attn.c_proj`, e, e, 'residualProjection')[i]));
    h = h.map((x) => {
      const hidden = linear(ln(x, `${p}.ln_2`), `${p}.mlp.c_fc`, e, 4 * e, 'matrix').map(geluNewRef);
      const out = linear(hidden, `${p}.mlp.c_proj`, 4 * e, e, 'residualProjection');
      return x.map((v, i) => v + out[i]);
    });
  }
  return h.map((x) => {
    const y = ln(x, 'transformer.ln_f');
    return Float64Array.from({ length: VOCAB }, (_, v) => { let acc = 0; for (let i = 0; i < e; i++) acc += y[i] * wte[v * e + i]; return acc; });
  });
}

// ---- reading a written ONNX file back, with the engine's own reader ----------------------------

interface OnnxInitializer {
  name: string;
  dataType: number;
  dims: number[];
  bytes: number;
}

/** Top-level nodes and initializers (TensorProto data_type 2, raw_data 9). */
function readOnnx(path: string): { nodes: OnnxNode[]; initializers: Map<string, OnnxInitializer> } {
  const { graph } = parseModel(readFileSync(path));
  const initializers = new Map<string, OnnxInitializer>();
  for (const [name, payload] of graph.initializers) {
    const fields = readFields(payload);
    initializers.set(name, { name, dataType: first(fields, 2)?.int ?? 0, dims: tensorDims(payload), bytes: first(fields, 9)?.bytes.length ?? 0 });
  }
  return { nodes: graph.nodes, initializers };
}

const countOps = (nodes: OnnxNode[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const n of nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return counts;
};


const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

describe('generate-model: seeded GPT-2 folders', function () {
  this.timeout(60_000);
  let root: string;
  const dirs = {} as Record<ModelLayout, string>;
  const sessions = {} as Record<ModelLayout, ort.InferenceSession>;
  const optsFor = (layout: ModelLayout): GenerateOptions => ({ ...TINY, layout });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ghostwriter-models-'));
    for (const layout of ['model', 'merged', 'legacy'] as const) {
      dirs[layout] = await ensureModel(`tiny-${layout}`, optsFor(layout), root);
      sessions[layout] = await ort.InferenceSession.create(join(dirs[layout], 'onnx', onnxFileName(layout)));
    }
  });

  after(async () => {
    for (const s of Object.values(sessions)) await s.release();
    rmSync(root, { recursive: true, force: true });
  });

  describe('folder', () => {
    it('has the hub / Optimum layout', () => {
      const files = ['config.json', 'generation_config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];
      assert.deepEqual(readdirSync(dirs.model).sort(), [...files, 'onnx'].sort());
      assert.deepEqual(readdirSync(join(dirs.model, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
      assert.deepEqual(readdirSync(join(dirs.merged, 'onnx')).sort(), ['decoder_model_merged.onnx', 'decoder_model_merged_quantized.onnx']);
      assert.deepEqual(readdirSync(join(dirs.legacy, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
    });

    it('writes config.json and generation_config.json', () => {
      const config = readJson(join(dirs.merged, 'config.json'));
      assert.equal(config.model_type, 'gpt2');
      assert.deepEqual(config.architectures, ['GPT2LMHeadModel']);
      const expected = { n_layer: 2, n_head: 2, n_embd: 64, n_positions: 256, n_ctx: 256, vocab_size: VOCAB };
      for (const [key, value] of Object.entries(expected)) assert.equal(config[key], value, key);
      assert.equal(config.bos_token_id, 50256);
      assert.equal(config.eos_token_id, 50256);
      assert.equal(config.layer_norm_epsilon, 1e-5);
      assert.equal(config.activation_function, 'gelu_new');
      assert.deepEqual(config.ghostwriter_generated, { seed: 1, layout: 'merged', generator_version: GENERATOR_VERSION });
      assert.deepEqual(readJson(join(dirs.model, 'generation_config.json')), { bos_token_id: 50256, eos_token_id: 50256 });
    });

    it('caches by name and options, atomically', async () => {
      assert.match(basename(dirs.model), /^tiny-model-[0-9a-f]{12}$/);
      assert.equal(await ensureModel('tiny-model', optsFor('model'), root), dirs.model);
      assert.notEqual(await ensureModel('tiny-model', { ...TINY, seed: 7 }, root), dirs.model);
      assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.tmp')), []);
    });

    it('rejects bad options with a clear message', async () => {
      await assert.rejects(generateModel(join(root, 'bad'), { ...TINY, nHead: 3 }), /nEmbd \(64\) must be divisible by nHead \(3\)/);
      await assert.rejects(ensureModel('x', { ...TINY, layout: 'other' as ModelLayout }, root), /layout must be one of/);
      await assert.rejects(ensureModel('a/b', TINY, root), /model name/);
    });
  });

  describe('tokenizer', () => {
    let tokenizer: Tokenizer;
    const samples = [
      'Hello World',
      'def fibonacci(n):',
      'function factorial(n) {\n  return n;\n}',
      'naïve ☃ — 日本語',
      '    if (x !== null) { return x.map((y) => y * 2); }\n\n\t// done',
      "it's  two  spaces, tabs\t\tand 12345 numbers",
    ];

    before(() => {
      tokenizer = new Tokenizer(readJson(join(dirs.model, 'tokenizer.json')), readJson(join(dirs.model, 'tokenizer_config.json')));
    });

    it('writes GPT-2 tokenizer configs', () => {
      const config = readJson(join(dirs.model, 'tokenizer_config.json'));
      assert.equal(config.tokenizer_class, 'GPT2Tokenizer');
      for (const key of ['bos_token', 'eos_token', 'unk_token']) assert.equal(config[key], '<|endoftext|>');
      assert.equal(config.model_max_length, 256);
      assert.equal(config.add_prefix_space, false);
      assert.equal((config.added_tokens_decoder as Record<string, { content: string }>)['50256'].content, '<|endoftext|>');
      const json = readJson(join(dirs.model, 'tokenizer.json'));
      assert.equal((json.model as { type: string }).type, 'BPE');
      assert.equal((json.model as { merges: unknown[] }).merges.length, 50000);
      assert.deepEqual(readJson(join(dirs.model, 'special_tokens_map.json')).eos_token, '<|endoftext|>');
    });

    it('encodes like gpt-3-encoder and round-trips', () => {
      const reference = gpt3Encoder();
      assert.deepEqual(tokenizer.encode('Hello World').ids, [15496, 2159]);
      for (const text of samples) {
        const ids = tokenizer.encode(text).ids;
        assert.deepEqual(ids, reference.encode(text), text);
        assert.equal(tokenizer.decode(ids), text);
      }
    });

    it('maps <|endoftext|> to 50256', () => {
      const ids = tokenizer.encode('a<|endoftext|>b').ids;
      assert.deepEqual(ids, [64, 50256, 65]);
      assert.equal(tokenizer.decode(ids, { skip_special_tokens: true }), 'ab');
    });
  });

  describe('onnx graph', () => {
    const a = 4299, b = 12900, c = 261;

    it('has the Optimum input and output names and shapes', () => {
      const past = ['past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value'];
      const present = ['present.0.key', 'present.0.value', 'present.1.key', 'present.1.value'];
      assert.deepEqual(sessions.model.inputNames, ['input_ids', 'attention_mask', 'position_ids', ...past]);
      assert.deepEqual(sessions.legacy.inputNames, ['input_ids', 'attention_mask', ...past]);
      assert.deepEqual(sessions.merged.inputNames, ['input_ids', 'attention_mask', 'position_ids', ...past, 'use_cache_branch']);
      for (const s of Object.values(sessions)) assert.deepEqual(s.outputNames, ['logits', ...present]);
      const meta = Object.fromEntries(sessions.merged.inputMetadata.map((m) => [m.name, m]));
      const shapeOf = (m: ort.InferenceSession.ValueMetadata | undefined) => (m?.isTensor ? [m.type, m.shape] : undefined);
      assert.deepEqual(shapeOf(meta.input_ids), ['int64', ['batch_size', 'sequence_length']]);
      assert.deepEqual(shapeOf(meta.attention_mask), ['int64', ['batch_size', 'past_sequence_length + sequence_length']]);
      assert.deepEqual(shapeOf(meta.position_ids), ['int64', ['batch_size', 'sequence_length']]);
      assert.deepEqual(shapeOf(meta['past_key_values.1.value']), ['float32', ['batch_size', 2, 'past_sequence_length', 32]]);
      assert.deepEqual(shapeOf(meta.use_cache_branch), ['bool', [1]]);
      const out = Object.fromEntries(sessions.model.outputMetadata.map((m) => [m.name, m]));
      assert.deepEqual(shapeOf(out.logits), ['float32', ['batch_size', 'sequence_length', VOCAB]]);
      assert.deepEqual(shapeOf(out['present.0.key']), ['float32', ['batch_size', 2, 'past_sequence_length + sequence_length', 32]]);
    });

    it('runs every layout from a zero-length past', async () => {
      for (const layout of ['model', 'merged', 'legacy'] as const) {
        const out = await sessions[layout].run(feeds(optsFor(layout), { ids: [[a, b, c, a]] }));
        assert.deepEqual((out.logits as ort.Tensor).dims, [1, 4, VOCAB], layout);
        assert.deepEqual((out['present.1.value'] as ort.Tensor).dims, [1, 2, 4, 32], layout);
      }
    });

    it('computes GPT-2 (matches a float64 reference forward pass)', async () => {
      const ids = [a, b, c, 15496, 2159];
      const out = await sessions.model.run(feeds(optsFor('model'), { ids: [ids] }));
      const reference = gpt2Reference(TINY, ids);
      const diffs = reference.map((row, t) => maxAbsDiff(Float32Array.from(row), logitsAt(out, 0, t)));
      assert.ok(Math.max(...diffs) < 1e-3, `max |diff| per position ${diffs}`);
    });

    it('gives the same logits with and without the KV cache', async () => {
      for (const layout of ['model', 'merged', 'legacy'] as const) {
        const opts = optsFor(layout);
        const full = await sessions[layout].run(feeds(opts, { ids: [[a, b, c]] }));
        const prefix = await sessions[layout].run(feeds(opts, { ids: [[a, b]] }));
        const next = await sessions[layout].run(feeds(opts, { ids: [[c]], past: prefix, positions: [[2]] }));
        const diff = maxAbsDiff(logitsAt(full, 0, 2), logitsAt(next, 0, 0));
        assert.ok(diff < 1e-4, `${layout}: cached vs full max |diff| ${diff}`);
        const key = (out: Outputs) => (out['present.1.key'] as ort.Tensor).data as Float32Array;
        const presentDiff = maxAbsDiff(key(full), key(next));
        assert.ok(presentDiff < 1e-4, `${layout}: present max |diff| ${presentDiff}`);
      }
    });

    it('depends on earlier tokens (attention is real) and on positions', async () => {
      const opts = optsFor('model');
      const run = (ids: number[], positions?: number[]) => sessions.model.run(feeds(opts, { ids: [ids], positions: positions && [positions] }));
      const last = (out: Outputs) => logitsAt(out, 0, 2);
      assert.ok(maxAbsDiff(last(await run([a, b, c])), last(await run([b, a, c]))) > 1e-2);
      assert.ok(maxAbsDiff(last(await run([a, b, c])), last(await run([a, b, c], [5, 6, 7]))) > 1e-2);
      // Causality: a later token must not change earlier positions.
      const short = await run([a, b]);
      const long = await run([a, b, c]);
      assert.ok(maxAbsDiff(logitsAt(short, 0, 1), logitsAt(long, 0, 1)) < 1e-4);
    });

    it('all layouts compute the same function for the same seed', async () => {
      const outs = await Promise.all((['model', 'merged', 'legacy'] as const).map((l) => sessions[l].run(feeds(optsFor(l), { ids: [[a, b, c]] }))));
      for (const out of outs.slice(1)) assert.ok(maxAbsDiff(logitsAt(outs[0], 0, 2), logitsAt(out, 0, 2)) < 1e-5);
    });

    it('honours attention_mask padding in a batch', async () => {
      const opts = optsFor('model');
      const alone = await sessions.model.run(feeds(opts, { ids: [[b, c]] }));
      const padded = await sessions.model.run(
        feeds(opts, { ids: [[50256, b, c], [a, b, c]], mask: [[0, 1, 1], [1, 1, 1]], positions: [[0, 0, 1], [0, 1, 2]] }),
      );
      assert.ok(maxAbsDiff(logitsAt(alone, 0, 1), logitsAt(padded, 0, 2)) < 1e-4);
      const full = await sessions.model.run(feeds(opts, { ids: [[a, b, c]] }));
      assert.ok(maxAbsDiff(logitsAt(full, 0, 2), logitsAt(padded, 1, 2)) < 1e-4);
    });

    it('merged layout ignores the past when use_cache_branch is false', async () => {
      const opts = optsFor('merged');
      const clean = await sessions.merged.run(feeds(opts, { ids: [[a, b]] }));
      const junkPast = await sessions.merged.run(feeds(opts, { ids: [[c, c, c]] }));
      const ignored = await sessions.merged.run({
        ...feeds(opts, { ids: [[a, b]], past: junkPast, useCacheBranch: false }),
        attention_mask: int64([[1, 1]]),
        position_ids: int64([[0, 1]]),
      });
      assert.deepEqual((ignored['present.0.key'] as ort.Tensor).dims, [1, 2, 2, 32]);
      assert.ok(maxAbsDiff(logitsAt(clean, 0, 1), logitsAt(ignored, 0, 1)) < 1e-6);
      const used = await sessions.merged.run(feeds(opts, { ids: [[a, b]], past: junkPast, useCacheBranch: true }));
      assert.deepEqual((used['present.0.key'] as ort.Tensor).dims, [1, 2, 5, 32]);
    });

    it('greedy decoding is not degenerate', async () => {
      const opts = optsFor('model');
      const first = await greedy(sessions.model, opts, [15496, 2159], 8);
      const second = await greedy(sessions.model, opts, [4299, 12900, 261, 44456, 7, 77, 2599], 8);
      assert.notDeepEqual(first, second);
      assert.ok(new Set(first).size > 2, `decode ${first} repeats one token`);
    });
  });

  describe('int8 quantized file', () => {
    const a = 4299, b = 12900, c = 261;
    const prompts = [
      [a, b, c, 44456, 7, 77, 2599],
      [15496, 2159, 11, 318, 257, 1332],
      [50256, 1000, 2000, 3000, 40000, 7, 8, 9],
    ];
    const quantized = {} as Record<ModelLayout, ort.InferenceSession>;
    const quantizedPath = (layout: ModelLayout) => join(dirs[layout], 'onnx', quantizedOnnxFileName(layout));
    const nMatMuls = 4 * TINY.nLayer + 1;

    before(async () => {
      for (const layout of ['model', 'merged', 'legacy'] as const) {
        quantized[layout] = await ort.InferenceSession.create(quantizedPath(layout), { executionProviders: ['cpu'] });
      }
    });

    after(async () => {
      for (const s of Object.values(quantized)) await s.release();
    });

    it('quantizes per column, symmetrically: q·scale is w within half a step, and max |w| maps to ±64 (±127 with the full range)', () => {
      const [k, n] = [5, 4];
      // Column 3 is all zeros; column j has its largest |w| in row j.
      const w = Float32Array.from({ length: k * n }, (_, i) => {
        const [r, j] = [Math.floor(i / n), i % n];
        return j === 3 ? 0 : (r === j ? -2 : Math.sin(i + 1)) * (j + 1);
      });
      for (const [range, limit] of [['reduced', 64], ['full', 127]] as const) {
        const { q, scale } = quantizeColumns(w, k, n, range);
        assert.deepEqual(Array.from(scale.subarray(0, 3)), [2 / limit, 4 / limit, 6 / limit].map(Math.fround), range);
        assert.equal(scale[3], 1);
        for (let i = 0; i < k * n; i++) {
          const j = i % n;
          assert.ok(Math.abs(q[i] * scale[j] - w[i]) <= scale[j] / 2 + 1e-7, `${range}: element ${i}`);
          assert.ok(Math.abs(q[i]) <= limit, `${range}: element ${i} is ${q[i]}`);
          if (j < 3 && Math.floor(i / n) === j) assert.equal(q[i], -limit);
        }
        // The transposed form stores (wᵀ) [n, k] given w [k, n] ... i.e. quantizeTransposed(wᵀ) = quantizeColumns(w).
        const wt = Float32Array.from({ length: k * n }, (_, i) => w[(i % k) * n + Math.floor(i / k)]);
        const t = quantizeTransposed(wt, n, k, range);
        assert.deepEqual(Array.from(t.q), Array.from(q));
        assert.deepEqual(Array.from(t.scale), Array.from(scale));
      }
    });

    it('writes every int8 weight within ±64 by default, so no CPU\'s 16-bit pair sums (255·64·2) overflow', () => {
      const { graph } = parseModel(readFileSync(quantizedPath('model')));
      let matrices = 0;
      for (const [name, payload] of graph.initializers) {
        const fields = readFields(payload);
        if (first(fields, 2)?.int !== DataType.INT8 || !name.endsWith('_quantized')) continue;
        matrices++;
        const raw = first(fields, 9)!.bytes;
        const largest = new Int8Array(raw.buffer, raw.byteOffset, raw.length).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        assert.equal(largest, 64, `${name}: largest |q| ${largest}`);
      }
      assert.equal(matrices, nMatMuls);
    });

    it('has the fp32 graph\'s inputs and outputs, names, types and shapes', () => {
      for (const layout of ['model', 'merged', 'legacy'] as const) {
        assert.deepEqual(quantized[layout].inputNames, sessions[layout].inputNames, layout);
        assert.deepEqual(quantized[layout].outputNames, sessions[layout].outputNames, layout);
        assert.deepEqual(quantized[layout].inputMetadata, sessions[layout].inputMetadata, layout);
        assert.deepEqual(quantized[layout].outputMetadata, sessions[layout].outputMetadata, layout);
      }
    });

    it('runs the Conv1D MatMuls and the tied head through DynamicQuantizeLinear → MatMulInteger with int8 weights', () => {
      const fp32 = readOnnx(join(dirs.model, 'onnx', 'model.onnx'));
      const { nodes, initializers } = readOnnx(quantizedPath('model'));
      const ops = countOps(nodes);
      assert.equal(ops.DynamicQuantizeLinear, nMatMuls);
      assert.equal(ops.MatMulInteger, nMatMuls);
      assert.equal(ops.Gemm, undefined);
      assert.equal(ops.MatMul, 2 * TINY.nLayer, 'only the attention MatMuls (no constant operand) stay fp32');
      // Every other op of the fp32 graph is there as often as before.
      for (const [op, count] of Object.entries(countOps(fp32.nodes))) {
        if (op !== 'MatMul' && op !== 'Gemm' && op !== 'Mul' && op !== 'Add' && op !== 'Cast') assert.equal(ops[op], count, op);
      }
      const INT8 = 3;
      const FLOAT = 1;
      const e = TINY.nEmbd;
      const expected: Record<string, number[]> = { 'transformer.wte.weight_transposed': [e, VOCAB] };
      for (let l = 0; l < TINY.nLayer; l++) {
        Object.assign(expected, {
          [`transformer.h.${l}.attn.c_attn.weight`]: [e, 3 * e],
          [`transformer.h.${l}.attn.c_proj.weight`]: [e, e],
          [`transformer.h.${l}.mlp.c_fc.weight`]: [e, 4 * e],
          [`transformer.h.${l}.mlp.c_proj.weight`]: [4 * e, e],
        });
      }
      for (const [name, [k, n]] of Object.entries(expected)) {
        assert.deepEqual(initializers.get(`${name}_quantized`), { name: `${name}_quantized`, dataType: INT8, dims: [k, n], bytes: k * n });
        assert.deepEqual(initializers.get(`${name}_zero_point`), { name: `${name}_zero_point`, dataType: INT8, dims: [n], bytes: n });
        assert.deepEqual(initializers.get(`${name}_scale`), { name: `${name}_scale`, dataType: FLOAT, dims: [n], bytes: 4 * n });
        if (name.startsWith('transformer.h.')) assert.equal(initializers.has(name), false, `fp32 ${name} is dropped`);
      }
      // The embedding Gather still reads the fp32 wte.
      assert.deepEqual(initializers.get('transformer.wte.weight')?.dims, [VOCAB, e]);
      // The head: ln_f → Reshape → DynamicQuantizeLinear → MatMulInteger → Cast → Mul → Reshape → logits.
      const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
      const chain: string[] = [];
      for (let node = producer.get('logits'); node; node = producer.get(node.inputs[0])) chain.unshift(node.opType);
      assert.deepEqual(chain.slice(-7), ['LayerNormalization', 'Reshape', 'DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Reshape']);
      const scaleMul = nodes.find((n) => n.opType === 'Mul' && n.inputs[1] === 'transformer.wte.weight_transposed_scale');
      assert.ok(scaleMul && producer.get(scaleMul.inputs[0])?.opType === 'DynamicQuantizeLinear', 'scales multiply as (x_scale, W_scale)');
    });

    it('onnxruntime fuses every chain into com.microsoft DynamicQuantizeMatMul', async () => {
      const optimized = join(root, 'optimized-quantized.onnx');
      const session = await ort.InferenceSession.create(quantizedPath('model'), {
        graphOptimizationLevel: 'extended',
        optimizedModelFilePath: optimized,
      });
      await session.release();
      const ops = countOps(readOnnx(optimized).nodes);
      assert.equal(ops.DynamicQuantizeMatMul, nMatMuls, JSON.stringify(ops));
      assert.equal(ops.MatMulInteger, undefined);
      assert.equal(ops.DynamicQuantizeLinear, undefined);
    });

    it('stores the matrices in 1 byte per weight instead of 4 (plus the head\'s int8 copy)', () => {
      const size = (path: string) => statSync(path).size;
      const e = TINY.nEmbd;
      const matrixWeights = TINY.nLayer * 12 * e * e;
      const columns = TINY.nLayer * (3 * e + e + 4 * e + e) + VOCAB;
      const predicted = size(join(dirs.model, 'onnx', 'model.onnx')) - 3 * matrixWeights + VOCAB * e;
      // Beyond the weights: a float scale and an int8 zero point per column, and small nodes.
      const extra = size(quantizedPath('model')) - predicted;
      assert.ok(extra > 5 * columns && extra < 5 * columns + nMatMuls * 1500, `${extra} bytes beyond the weights`);
      // TINY's head copy outweighs its matrices; GPT-2-small's file is 57% of the fp32 one.
    });

    it('gives logits close to fp32 (TINY, TINY_B)', async () => {
      const tinyB = await ensureModel('tiny-b', TINY_B, root);
      const pairs: [GenerateOptions, ort.InferenceSession, ort.InferenceSession][] = [[optsFor('model'), sessions.model, quantized.model]];
      const fp32B = await ort.InferenceSession.create(join(tinyB, 'onnx', 'model.onnx'));
      const int8B = await ort.InferenceSession.create(join(tinyB, 'onnx', 'model_quantized.onnx'));
      pairs.push([TINY_B, fp32B, int8B]);
      try {
        for (const [opts, fp32, int8] of pairs) {
          const errors: number[] = [];
          let agree = 0;
          for (const ids of prompts) {
            const [x, y] = [await fp32.run(feeds(opts, { ids: [ids] })), await int8.run(feeds(opts, { ids: [ids] }))];
            for (let t = 0; t < ids.length; t++) {
              errors.push(relativeError(logitsAt(y, 0, t), logitsAt(x, 0, t)));
              if (argmaxAndMargin(logitsAt(y, 0, t)).best === argmaxAndMargin(logitsAt(x, 0, t)).best) agree++;
            }
          }
          // Measured with ±64 weights: median 0.049 (TINY) / 0.061 (TINY_B), worst 0.157 / 0.095,
          // top-1 15/21 and 20/21 (with ±127: 0.02 / 0.04, 0.07 / 0.14, 19/21 and 20/21 where the CPU
          // has VNNI, garbage where it does not). ±64 gives the same integer sums on every x86 CPU, so
          // these bounds hold on both kinds (int8Kernels.test.ts runs it on AVX2's kernels). Wrong
          // scales or a transposed matrix give errors near 1 and no agreement.
          const label = `${opts.nLayer}x${opts.nEmbd}: relative errors ${errors.map((v) => v.toFixed(3))}, top-1 ${agree}/${errors.length}`;
          assert.ok(median(errors) < 0.1, label);
          assert.ok(Math.max(...errors) < 0.25, label);
          assert.ok(agree >= 0.6 * errors.length, label);
        }
      } finally {
        await fp32B.release();
        await int8B.release();
      }
    });

    it('gives the same logits with and without the KV cache (within activation-quantization noise)', async () => {
      for (const layout of ['model', 'merged', 'legacy'] as const) {
        const opts = optsFor(layout);
        for (const ids of prompts) {
          const full = await quantized[layout].run(feeds(opts, { ids: [ids] }));
          const prefix = await quantized[layout].run(feeds(opts, { ids: [ids.slice(0, -1)] }));
          const next = await quantized[layout].run(feeds(opts, { ids: [ids.slice(-1)], past: prefix }));
          // Measured up to 0.02: DynamicQuantizeLinear takes its range from the rows it is given.
          const diff = relativeError(logitsAt(next, 0, 0), logitsAt(full, 0, ids.length - 1));
          assert.ok(diff < 0.06, `${layout}: cached vs full relative error ${diff}`);
          const key = (out: Outputs) => (out['present.1.key'] as ort.Tensor).data as Float32Array;
          const presentDiff = relativeError(key(next), key(full));
          assert.ok(presentDiff < 0.06, `${layout}: present relative error ${presentDiff}`);
        }
      }
    });

    it('decodes greedily with the cache, close to fp32', async () => {
      const opts = optsFor('model');
      const prompt = [15496, 2159];
      const [x, y] = [await greedy(sessions.model, opts, prompt, 8), await greedy(quantized.model, opts, prompt, 8)];
      assert.equal(y[0], x[0], `fp32 ${x}, int8 ${y}`);
      assert.ok(new Set(y).size > 2, `decode ${y} repeats one token`);
    });
  });

  describe('determinism', () => {
    const read = (dir: string, layout: ModelLayout = 'model') => readFileSync(join(dir, 'onnx', onnxFileName(layout)));

    it('writes byte-identical folders for the same options', async () => {
      const again = join(root, 'again');
      await generateModel(again, optsFor('model'));
      for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
        assert.ok(readFileSync(join(again, file)).equals(readFileSync(join(dirs.model, file))), file);
      }
      assert.ok(read(again).equals(read(dirs.model)));
      const quantized = (dir: string) => readFileSync(join(dir, 'onnx', quantizedOnnxFileName('model')));
      assert.ok(quantized(again).equals(quantized(dirs.model)));
    });

    it('regenerating a folder in another layout leaves no stale graph', async () => {
      const dir = join(root, 'relayout');
      await generateModel(dir, optsFor('model'));
      await generateModel(dir, optsFor('merged'));
      assert.deepEqual(readdirSync(join(dir, 'onnx')).sort(), ['decoder_model_merged.onnx', 'decoder_model_merged_quantized.onnx']);
    });

    it('another seed gives other weights of the same shapes', async () => {
      const other = await ensureModel('tiny-seed3', { ...TINY, seed: 3 }, root);
      const [x, y] = [read(other), read(dirs.model)];
      assert.equal(x.length, y.length);
      assert.ok(!x.equals(y));
    });

    it('TINY_B is a different, loadable shape', async () => {
      const dir = await ensureModel('tiny-b', TINY_B, root);
      assert.ok(existsSync(join(dir, 'onnx', 'model.onnx')));
      const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
      try {
        assert.equal(session.inputNames.filter((n) => n.startsWith('past_key_values.')).length, 6);
        const out = await session.run(feeds(TINY_B, { ids: [[15496, 2159]] }));
        assert.deepEqual((out['present.2.value'] as ort.Tensor).dims, [1, 4, 2, 24]);
      } finally {
        await session.release();
      }
    });
  });
});
