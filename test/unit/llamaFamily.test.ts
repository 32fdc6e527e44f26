// The Llama family (src/inference/arch/llama.ts: qwen2 for Qwen2.5-Coder, llama for DeepSeek-Coder):
// published configs read as their config.json files say them; generated qwen2 and llama folders
// (grouped-query, tied and untied heads, merged layout, external data, num_logits_to_keep, a
// float16 cache) loaded, prepared, cached decoding equal to recomputation, prepared equal to the
// original graph, the graphs equal to a float64 reference; exports as they ship: every end token
// of generation_config.json, an embedding larger than the tokenizer, FIM in each family's spelling.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  ensureModel,
  externalDataFileName,
  onnxFileName,
  quantizedOnnxFileName,
  seededWeights,
  TINY_LLAMA,
  TINY_QWEN2,
  validateOptions,
  type GenerateOptions,
  type ParamRole,
} from '../../scripts/model/generate';
import { inverseFrequencies } from '../../scripts/model/llamaGraph';
import { silentLogger } from '../../src/core/logger';
import { resolveModel } from '../../src/core/hub/index';
import { createSnapshot } from '../../src/core/snapshot';
import { adapterForModelType, parseModelConfig } from '../../src/inference/arch';
import type { InferenceEngine } from '../../src/inference/engine';
import { resolveModelFolder } from '../../src/inference/model';
import { parseModel } from '../../src/inference/onnx/graph';
import { first, readFields, text } from '../../src/inference/onnx/protoReader';
import { rewriteForCache } from '../../src/inference/onnx/rewrite';
import { ModelSession } from '../../src/inference/session';
import { kvSlots } from '../../src/inference/signature';
import { loadEngine, modelCopy, repoRoot, refusal } from './helpers';
import { HubStandIn } from './hubStandIn';
import { argmax, engineAndSessions, expectCachedEqualsRecomputation, expectSameSteps, expectGreedyByRecomputation, maxAbsDiff, options, PROMPTS, snap, expectPreparedInt8LikeOriginal } from './modelChecks';

// ---- published configs ---------------------------------------------------------------------------

/** Qwen/Qwen2.5-Coder-0.5B-Instruct config.json (as onnx-community/Qwen2.5-Coder-0.5B-Instruct carries it). */
const QWEN25_CODER_05B_INSTRUCT = {
  architectures: ['Qwen2ForCausalLM'],
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  tie_word_embeddings: true,
  vocab_size: 151936,
};

/** deepseek-ai/deepseek-coder-1.3b-base config.json (as Xenova/deepseek-coder-1.3b-base carries it). */
const DEEPSEEK_CODER_13B_BASE = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 32013,
  eos_token_id: 32014,
  hidden_act: 'silu',
  hidden_size: 2048,
  intermediate_size: 5504,
  max_position_embeddings: 16384,
  model_type: 'llama',
  num_attention_heads: 16,
  num_hidden_layers: 24,
  num_key_value_heads: 16,
  rms_norm_eps: 1e-6,
  rope_scaling: { factor: 4.0, type: 'linear' },
  rope_theta: 100000,
  tie_word_embeddings: false,
  vocab_size: 32256,
};


describe('llama-family adapters (qwen2, llama)', () => {
  it('qwen2: Qwen2.5-Coder-0.5B\'s config; a key and a value per layer with its 2 key/value heads, [batch, 2, seq, 64]', () => {
    const config = parseModelConfig(QWEN25_CODER_05B_INSTRUCT, 'c.json');
    assert.deepEqual(config, { modelType: 'qwen2', nLayer: 24, nHead: 14, kvHeads: 2, nEmbd: 896, headDim: 64, nPositions: 32768, vocabSize: 151936, eosTokenId: 151645 });
    const slots = kvSlots(config);
    assert.equal(slots.length, 48);
    assert.deepEqual(slots[0], { past: 'past_key_values.0.key', present: 'present.0.key', layout: 'BHTD', heads: 2, headDim: 64 });
    assert.deepEqual(slots[47], { past: 'past_key_values.23.value', present: 'present.23.value', layout: 'BHTD', heads: 2, headDim: 64 });
    // What one cached token costs: 24 layers · (key + value) · 2 heads · 64 · 4 bytes = 24 KiB, not 14 heads' 168 KiB.
    assert.equal(slots.reduce((n, s) => n + s.heads * s.headDim * 4, 0), 24 * 1024);
  });

  it('llama: DeepSeek-Coder-1.3B\'s config (every head its own key/value); head_dim and a list of end tokens when given', () => {
    const config = parseModelConfig(DEEPSEEK_CODER_13B_BASE, 'c.json');
    assert.deepEqual(config, { modelType: 'llama', nLayer: 24, nHead: 16, kvHeads: 16, nEmbd: 2048, headDim: 128, nPositions: 16384, vocabSize: 32256, eosTokenId: 32014 });
    const { num_key_value_heads: _, ...noKv } = DEEPSEEK_CODER_13B_BASE;
    assert.equal(parseModelConfig(noKv, 'c.json').kvHeads, 16, 'absent: LlamaConfig\'s default, one per head');
    const withHeadDim = parseModelConfig({ ...DEEPSEEK_CODER_13B_BASE, head_dim: 96, num_key_value_heads: 4, eos_token_id: [7, 8] }, 'c.json');
    assert.deepEqual([withHeadDim.headDim, withHeadDim.kvHeads, withHeadDim.eosTokenId], [96, 4, 7]);
    assert.deepEqual(kvSlots(withHeadDim)[1], { past: 'past_key_values.0.value', present: 'present.0.value', layout: 'BHTD', heads: 4, headDim: 96 });
  });

  it('refuses key/value heads that do not divide the query heads, and a width without head_dim the heads do not divide', () => {
    assert.match(refusal(() => parseModelConfig({ ...QWEN25_CODER_05B_INSTRUCT, num_key_value_heads: 3 }, 'c.json')).message, /num_key_value_heads 3, which does not divide num_attention_heads 14/);
    assert.match(refusal(() => parseModelConfig({ ...QWEN25_CODER_05B_INSTRUCT, hidden_size: 900 }, 'c.json')).message, /hidden_size 900, which is not divisible by num_attention_heads 14, and no head_dim/);
    assert.match(refusal(() => parseModelConfig({ ...QWEN25_CODER_05B_INSTRUCT, num_hidden_layers: undefined }, '/m/config.json')).message, /no positive integer num_hidden_layers \(\/m\/config\.json\)/);
  });

  it('FIM spellings: Qwen2.5-Coder\'s <|fim_prefix|>… and DeepSeek-Coder\'s <｜fim▁begin｜>…', () => {
    const qwen = adapterForModelType('qwen2')!.fimTokens[0];
    assert.deepEqual([qwen.prefix, qwen.suffix, qwen.middle, qwen.pad, qwen.end], ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|file_sep|>']);
    const deepseek = adapterForModelType('llama')!.fimTokens[0];
    assert.deepEqual([deepseek.prefix, deepseek.suffix, deepseek.middle], ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>']);
  });
});

describe('generator options for qwen2 and llama', () => {
  it('refuses what their exports never have, saying why', () => {
    assert.throws(() => validateOptions({ ...TINY_QWEN2, layout: 'legacy' }), /qwen2 exports always take position_ids/);
    assert.throws(() => validateOptions({ ...TINY_LLAMA, kvHeads: 3 }), /kvHeads \(3\) must divide nHead \(4\)/);
    assert.throws(() => validateOptions({ ...TINY_QWEN2, vocabRows: 50000 }), /vocabRows \(50000\) is below the tokenizer's 50265 tokens/);
    assert.throws(() => validateOptions({ ...TINY_QWEN2, arch: 'gpt2', kvHeads: 2 }), /kvHeads is a qwen2\/llama option/);
  });
});

// ---- generated models through the engine ---------------------------------------------------------

interface Case {
  label: string;
  name: string;
  opts: GenerateOptions;
}

const CASES: Case[] = [
  { label: 'qwen2: 4 query heads on 2 key/value heads, tied head, q/k/v biases', name: 'tiny-qwen2', opts: TINY_QWEN2 },
  { label: 'qwen2, merged decoder, num_logits_to_keep', name: 'tiny-qwen2-merged-keep', opts: { ...TINY_QWEN2, layout: 'merged', numLogitsToKeep: true } },
  { label: 'llama: grouped-query, untied head, linear rope scaling, weights in model.onnx_data', name: 'tiny-llama-external', opts: { ...TINY_LLAMA, externalData: true } },
  { label: 'llama, one key/value head, tied, merged decoder with external data', name: 'tiny-llama-mqa-merged', opts: { ...TINY_LLAMA, kvHeads: 1, tieWordEmbeddings: true, layout: 'merged', externalData: true } },
  { label: 'qwen2 with a float16 cache (as model_fp16.onnx declares it)', name: 'tiny-qwen2-kv16', opts: { ...TINY_QWEN2, kvFloat16: true } },
];

for (const c of CASES) {
  describe(`generated ${c.label}`, function () {
    this.timeout(180_000);
    let dir: string;
    let engine: InferenceEngine;
    let session: ModelSession;
    let original: ModelSession;
    let release: (() => Promise<void>) | undefined;
    const layout = c.opts.layout ?? 'model';
    before(async () => {
      dir = await ensureModel(c.name, c.opts);
      ({ engine, session, original, release } = await engineAndSessions(dir));
    });
    after(() => release?.());

    it('has its export\'s signature: position_ids, [batch, kv_heads, seq, head_dim] pairs, its element type', async () => {
      const s = await ort.InferenceSession.create(join(dir, 'onnx', onnxFileName(layout)));
      try {
        const meta = s.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
        assert.ok(meta?.isTensor);
        assert.deepEqual(meta.shape, ['batch_size', c.opts.kvHeads ?? 2, 'past_sequence_length', 16]);
        assert.equal(meta.type, c.opts.kvFloat16 ? 'float16' : 'float32');
        assert.ok(s.inputNames.includes('position_ids'));
        assert.equal(s.inputNames.includes('num_logits_to_keep'), !!c.opts.numLogitsToKeep);
        assert.deepEqual(s.outputNames, ['logits', ...kvSlots((await resolveModelFolder(dir, 'fp32')).config).map((slot) => slot.present)]);
      } finally {
        await s.release();
      }
      const files = readdirSync(join(dir, 'onnx'));
      assert.equal(files.includes(externalDataFileName(layout)), !!c.opts.externalData, files.join(', '));
    });

    it('is prepared, fp32 and int8; the prepared graph gives the original graph\'s logits at every step (within 1e-4)', async () => {
      assert.equal(engine.info.prepared, true, engine.info.prepareNote);
      assert.equal(session.prepared, true, session.prepareNote);
      assert.equal(original.prepared, false);
      const folder = await resolveModelFolder(dir, 'fp32');
      for (const file of [onnxFileName(layout), quantizedOnnxFileName(layout)]) {
        const result = rewriteForCache(parseModel(readFileSync(join(dir, 'onnx', file))), { slots: kvSlots(folder.config), vocabSize: folder.config.vocabSize });
        assert.equal(result.logits, 'head', file);
      }
      for (const prompt of PROMPTS) await expectSameSteps(session, original, engine.encode(prompt), JSON.stringify(prompt));
    });

    it('cached decoding gives the same next-token logits as the whole sequence without a cache (within 1e-4)', async () => {
      for (const prompt of PROMPTS) await expectCachedEqualsRecomputation(engine, session, prompt);
    });

    it('greedy decoding equals greedy decoding by recomputation; different prompts continue differently', async () => {
      await expectGreedyByRecomputation(engine, 'decoded');
    });

    it('the prepared int8 graph decodes the original int8 graph\'s greedy tokens', async () => {
      await expectPreparedInt8LikeOriginal(dir, engine.encode(PROMPTS[0]));
    });
  });
}

describe('external data: the prepared graph keeps the weights where they are', function () {
  this.timeout(120_000);
  it('the prepared file holds no weights, and the original\'s data file is read in place', async () => {
    const dir = await ensureModel('tiny-llama-external', { ...TINY_LLAMA, externalData: true });
    const data = statSync(join(dir, 'onnx', externalDataFileName('model'))).size;
    const cacheDir = mkdtempSync(join(tmpdir(), 'ghostwriter-prepared-'));
    try {
      const folder = await resolveModelFolder(dir, 'fp32');
      const session = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir });
      try {
        assert.equal(session.prepared, true, session.prepareNote);
      } finally {
        await session.release();
      }
      const prepared = readdirSync(cacheDir).filter((f) => f.endsWith('.onnx'));
      assert.equal(prepared.length, 1);
      const size = statSync(join(cacheDir, prepared[0])).size;
      assert.ok(size < data / 20, `prepared ${size} bytes, the data file ${data}`);
      // From the disk cache on the next load, still reading the original's data file.
      const again = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir });
      try {
        assert.match(again.prepareNote, /from the cache/);
      } finally {
        await again.release();
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('external data from the Hugging Face cache (symlinks into blobs/)', function () {
  this.timeout(120_000);
  let standIn: HubStandIn;
  let cacheRoot: string;
  before(async () => {
    standIn = await new HubStandIn({ 'onnx-community/Tiny-Llama-External': { dir: await ensureModel('tiny-llama-external', { ...TINY_LLAMA, externalData: true }) } }).start();
    cacheRoot = mkdtempSync(join(tmpdir(), 'ghostwriter-hf-'));
  });
  after(async () => {
    await standIn?.close();
    rmSync(cacheRoot, { recursive: true, force: true });
  });

  it('downloads model.onnx with model.onnx_data and runs it prepared, as the original graph computes it', async () => {
    const resolved = await resolveModel({ source: 'onnx-community/Tiny-Llama-External', modelFile: 'fp32', endpoint: standIn.url, cacheRoot });
    assert.equal(resolved.kind, 'hub');
    const dir = resolved.dir;
    assert.ok(lstatSync(join(dir, 'onnx', 'model.onnx_data')).isSymbolicLink(), 'the data file is a symlink into blobs/');
    const prepared = mkdtempSync(join(tmpdir(), 'ghostwriter-prepared-'));
    try {
      const folder = await resolveModelFolder(dir, 'fp32');
      const session = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { cacheDir: prepared });
      const original = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { prepare: false });
      try {
        // ONNX Runtime refuses a data file that resolves outside the folder it reads from: the
        // prepared graph names the blob in blobs/ and reads from there.
        assert.equal(session.prepared, true, session.prepareNote);
        await expectSameSteps(session, original, [4299, 12900, 261, 15496], 'hub cache');
      } finally {
        await session.release();
        await original.release();
      }
    } finally {
      rmSync(prepared, { recursive: true, force: true });
    }
  });
});

// ---- the generated graphs compute their architecture: float64 references ------------------------

type Vec = Float64Array;

function weightsOf(opts: GenerateOptions) {
  const weights = seededWeights(opts.seed);
  return (name: string, dims: number[], role: ParamRole) => weights({ name, dims, role });
}

/** The generated RMSNorms have weight 1. */
function rmsNormRef(x: Vec): Vec {
  const ms = x.reduce((s, v) => s + v * v, 0) / x.length;
  return x.map((v) => v / Math.sqrt(ms + 1e-6));
}

function linearRef(x: Vec, w: Float32Array, nOut: number, b?: Float32Array): Vec {
  const out = b ? Float64Array.from(b) : new Float64Array(nOut);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < nOut; j++) out[j] += x[i] * w[i * nOut + j];
  return out;
}

/**
 * modeling_qwen2.py / modeling_llama.py for one unpadded sequence at positions 0..T-1: RMSNorm,
 * rotate_half rotary, repeat_kv (query head h reads key/value head h / groups), SwiGLU.
 */
function llamaReference(opts: GenerateOptions, ids: number[], vocab: number, p: { kvHeads: number; intermediate: number; theta: number; factor: number; bias: boolean; tied: boolean }): Vec {
  const w = weightsOf(opts);
  const [e, nHead] = [opts.nEmbd, opts.nHead];
  const d = e / nHead;
  const groups = nHead / p.kvHeads;
  const inv = inverseFrequencies(d, p.theta, p.factor);
  const rotate = (x: Vec, t: number): Vec => {
    const out = new Float64Array(d);
    for (let i = 0; i < d / 2; i++) {
      const angle = Math.fround(t * inv[i]);
      out[i] = x[i] * Math.cos(angle) - x[i + d / 2] * Math.sin(angle);
      out[i + d / 2] = x[i + d / 2] * Math.cos(angle) + x[i] * Math.sin(angle);
    }
    return out;
  };
  const embed = w('model.embed_tokens.weight', [vocab, e], 'wte');
  let h = ids.map((id) => Float64Array.from(embed.subarray(id * e, (id + 1) * e)));
  const bias = (name: string, n: number) => (p.bias ? w(name, [n], 'attnBias') : undefined);
  for (let l = 0; l < opts.nLayer; l++) {
    const pre = `model.layers.${l}`;
    const x = h.map(rmsNormRef);
    const q = x.map((r) => linearRef(r, w(`${pre}.self_attn.q_proj.weight`, [e, e], 'matrix'), e, bias(`${pre}.self_attn.q_proj.bias`, e)));
    const k = x.map((r) => linearRef(r, w(`${pre}.self_attn.k_proj.weight`, [e, p.kvHeads * d], 'matrix'), p.kvHeads * d, bias(`${pre}.self_attn.k_proj.bias`, p.kvHeads * d)));
    const v = x.map((r) => linearRef(r, w(`${pre}.self_attn.v_proj.weight`, [e, p.kvHeads * d], 'matrix'), p.kvHeads * d, bias(`${pre}.self_attn.v_proj.bias`, p.kvHeads * d)));
    const merged = x.map(() => new Float64Array(e));
    for (let hd = 0; hd < nHead; hd++) {
      const kv = Math.floor(hd / groups);
      const qs = q.map((r, t) => rotate(r.subarray(hd * d, (hd + 1) * d), t));
      const ks = k.map((r, t) => rotate(r.subarray(kv * d, (kv + 1) * d), t));
      qs.forEach((qt, t) => {
        const scores = Array.from({ length: t + 1 }, (_, s) => qt.reduce((acc, val, i) => acc + val * ks[s][i], 0) / Math.sqrt(d));
        const max = Math.max(...scores);
        const ex = scores.map((s) => Math.exp(s - max));
        const total = ex.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let i = 0; i < d; i++) merged[t][hd * d + i] += (ex[s] / total) * v[s][kv * d + i];
      });
    }
    h = h.map((r, t) => {
      const attn = linearRef(merged[t], w(`${pre}.self_attn.o_proj.weight`, [e, e], 'residualProjection'), e);
      return r.map((val, i) => val + attn[i]);
    });
    h = h.map((r) => {
      const y = rmsNormRef(r);
      const gate = linearRef(y, w(`${pre}.mlp.gate_proj.weight`, [e, p.intermediate], 'matrix'), p.intermediate);
      const up = linearRef(y, w(`${pre}.mlp.up_proj.weight`, [e, p.intermediate], 'matrix'), p.intermediate);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const down = linearRef(act, w(`${pre}.mlp.down_proj.weight`, [p.intermediate, e], 'residualProjection'), e);
      return r.map((val, i) => val + down[i]);
    });
  }
  const y = rmsNormRef(h[h.length - 1]);
  if (!p.tied) return linearRef(y, w('lm_head.weight', [e, vocab], 'lmHead'), vocab);
  return Float64Array.from({ length: vocab }, (_, tok) => {
    let acc = 0;
    for (let i = 0; i < e; i++) acc += y[i] * embed[tok * e + i];
    return acc;
  });
}

describe('generated qwen2 and llama graphs compute their architecture (float64 references)', function () {
  this.timeout(180_000);
  const ids = [4299, 12900, 261, 15496, 2159];
  for (const [label, name, opts, p] of [
    ['qwen2: q/k/v biases, rope θ 1e6, 2 key/value heads, tied', 'tiny-qwen2', TINY_QWEN2, { kvHeads: 2, intermediate: 160, theta: 1e6, factor: 1, bias: true, tied: true }],
    ['llama: no biases, rope θ 1e5 scaled linearly by 4, 2 key/value heads, untied', 'tiny-llama-external', { ...TINY_LLAMA, externalData: true }, { kvHeads: 2, intermediate: 160, theta: 1e5, factor: 4, bias: false, tied: false }],
  ] as const) {
    it(label, async () => {
      const dir = await ensureModel(name, opts);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { intermediate_size: number; vocab_size: number };
      assert.equal(config.intermediate_size, p.intermediate);
      const engine = await loadEngine(dir, { prepare: false });
      try {
        const expected = Float32Array.from(llamaReference(opts, ids, config.vocab_size, p));
        // The engine masks the rows past the tokenizer; compare those it samples from.
        const n = engine.decodableRows;
        const diff = maxAbsDiff((await engine.logitsWithoutCache(ids)).subarray(0, n), expected.subarray(0, n));
        assert.ok(diff < 1e-3, `max |diff| ${diff}`);
      } finally {
        await engine.release();
      }
    });
  }
});

// ---- exports as they ship ------------------------------------------------------------------------

describe('exports as they ship: end tokens, a padded embedding, FIM per family', function () {
  this.timeout(180_000);

  it('generated configs: Qwen lists two end tokens in generation_config.json; the embedding has more rows than the tokenizer', async () => {
    const dir = await ensureModel('tiny-qwen2', TINY_QWEN2);
    const generation = JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8')) as { eos_token_id: number[] };
    const tokenizer = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; content: string }[] };
    const id = (name: string) => tokenizer.added_tokens.find((t) => t.content === name)?.id;
    assert.deepEqual(generation.eos_token_id, [id('<|im_end|>'), id('<|endoftext|>')]);
    const folder = await resolveModelFolder(dir, 'fp32');
    assert.deepEqual(folder.endTokenIds, [id('<|im_end|>'), id('<|endoftext|>')]);
    assert.equal(folder.config.vocabSize, 50304);
    assert.ok(Math.max(...tokenizer.added_tokens.map((t) => t.id)) + 1 < folder.config.vocabSize);
  });

  it('every end token of generation_config.json ends a completion, not only the tokenizer\'s EOS', async () => {
    const source = await ensureModel('tiny-qwen2', TINY_QWEN2);
    let first: number;
    const engine = await loadEngine(source);
    try {
      first = (await engine.complete(snap(PROMPTS[0]), options({ maxNewTokens: 4 }))).completions[0].tokenIds[0];
    } finally {
      await engine.release();
    }
    // The model's own first greedy token becomes one of the listed end tokens.
    const copy = modelCopy(source, (d) => writeFileSync(join(d, 'generation_config.json'), JSON.stringify({ eos_token_id: [50258, first] })));
    try {
      const ended = await loadEngine(copy.dir);
      try {
        const c = (await ended.complete(snap(PROMPTS[0]), options({ maxNewTokens: 4 }))).completions[0];
        assert.deepEqual([c.tokenIds, c.stopReason], [[], 'eos']);
      } finally {
        await ended.release();
      }
    } finally {
      copy.cleanup();
    }
  });

  it('never samples a row the tokenizer cannot decode, even where those rows have the largest logits', async () => {
    const source = await ensureModel('tiny-llama-external', { ...TINY_LLAMA, externalData: true });
    // Rows 50262.. of the untied head (lm_head.weight [64, 50304] in model.onnx_data) set large: unmasked, they win.
    const copy = modelCopy(source, (d) => boostPaddedRows(join(d, 'onnx')));
    try {
      const folder = await resolveModelFolder(copy.dir, 'fp32');
      const raw = await ModelSession.create(folder, 'cpu', silentLogger, undefined, { prepare: false });
      const engine = await loadEngine(copy.dir);
      try {
        const ids = engine.encode(PROMPTS[0]);
        assert.ok(argmax(await raw.forward(ids, raw.newCache())) >= engine.decodableRows, 'the padded rows win unmasked');
        assert.equal(engine.decodableRows, 50262);
        for (const temperature of [0, 1.5]) {
          const r = await engine.complete(snap(PROMPTS[0]), options({ maxNewTokens: 6, temperature, topK: 0 }));
          assert.ok(r.completions[0].tokenIds.every((id) => id < 50262), JSON.stringify(r.completions[0].tokenIds));
          assert.equal(r.completions[0].tokenIds.length, 6);
        }
      } finally {
        await engine.release();
        await raw.release();
      }
    } finally {
      copy.cleanup();
    }
  });

  it('a qwen2 folder with --suffix: <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|> (node dist/cli.js complete)', async () => {
    const dir = await ensureModel('tiny-qwen2', TINY_QWEN2);
    const prefix = 'def add(a, b):\n';
    const suffix = '\n\nprint(add(1, 2))\n';
    const answer = await cliJson(['--model', dir, '--prompt', prefix, '--suffix', suffix, '--temperature', '0', '--max-new-tokens', '4']);
    const [pre, suf, mid] = [50259, 50261, 50260];
    const ids = answer.promptTokenIds;
    assert.equal(ids[0], pre);
    assert.equal(ids[ids.length - 1], mid);
    const s = ids.indexOf(suf);
    const engine = await loadEngine(dir);
    try {
      assert.equal(engine.decode(ids.slice(1, s)), prefix);
      assert.equal(engine.decode(ids.slice(s + 1, -1)), suffix);
    } finally {
      await engine.release();
    }
  });

  it('node dist/cli.js complete decodes the generated llama folders (grouped-query, untied and tied, external data), as the engine does', async () => {
    for (const c of CASES.filter((x) => x.opts.arch === 'llama')) {
      const dir = await ensureModel(c.name, c.opts);
      const answer = await cliJson(['--model', dir, '--prompt', PROMPTS[1], '--temperature', '0', '--max-new-tokens', '6', '--line-mode', 'none']);
      const engine = await loadEngine(dir);
      try {
        const expected = await engine.complete(snap(PROMPTS[1]), options({ maxNewTokens: 6 }));
        assert.deepEqual(answer.completions[0].tokenIds, expected.completions[0].tokenIds, c.label);
        assert.equal(answer.completions[0].tokenIds.length, 6, c.label);
      } finally {
        await engine.release();
      }
    }
  });

  it('a llama folder gets DeepSeek-Coder\'s layout: <｜fim▁begin｜> prefix <｜fim▁hole｜> suffix <｜fim▁end｜>', async () => {
    const dir = await ensureModel('tiny-llama-external', { ...TINY_LLAMA, externalData: true });
    const engine = await loadEngine(dir);
    try {
      const r = await engine.complete(createSnapshot({ prefix: 'x = ', suffix: '\ny = 2\n', languageId: 'python', path: '/w/a.py', version: 1 }), options({ maxNewTokens: 2 }));
      // GPT-2's 50257 tokens, then <｜begin▁of▁sentence｜>, <｜end▁of▁sentence｜>, <｜fim▁hole｜>, <｜fim▁begin｜>, <｜fim▁end｜>.
      const [hole, begin, end] = [50259, 50260, 50261];
      const ids = r.promptTokenIds;
      assert.deepEqual([ids[0], ids[ids.length - 1]], [begin, end]);
      assert.equal(engine.decode(ids.slice(1, ids.indexOf(hole))), 'x = ');
    } finally {
      await engine.release();
    }
  });
});

/** Writes 3.0 over the head's columns past the tokenizer (lm_head.weight, an external tensor [64, 50304]). */
function boostPaddedRows(onnxDir: string): void {
  const model = parseModel(readFileSync(join(onnxDir, 'model.onnx')));
  const payload = model.graph.initializers.get('lm_head.weight');
  assert.ok(payload, 'lm_head.weight');
  const entries = readFields(payload).filter((f) => f.field === 13).map((f) => readFields(f.bytes));
  const offsetEntry = entries.find((e) => text(first(e, 1)!) === 'offset')!;
  const offset = Number(text(first(offsetEntry, 2)!));
  const [rows, vocab, from] = [64, 50304, 50262];
  const fd = openSync(join(onnxDir, 'model.onnx_data'), 'r+');
  try {
    const big = new Float32Array(vocab - from).fill(3);
    for (let r = 0; r < rows; r++) writeSync(fd, new Uint8Array(big.buffer), 0, big.byteLength, offset + (r * vocab + from) * 4);
  } finally {
    closeSync(fd);
  }
}

function cliJson(args: readonly string[]): Promise<{ promptTokenIds: number[]; completions: { tokenIds: number[] }[] }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(repoRoot(), 'dist/cli.js'), 'complete', '--model-file', 'fp32', '--execution-provider', 'cpu', '--json', ...args], { encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`${String(err)}\n${stderr}`)) : resolve(JSON.parse(stdout) as { promptTokenIds: number[]; completions: { tokenIds: number[] }[] }),
    );
  });
}
