// Architecture adapters (src/inference/arch): the registry, each adapter's config fields and cache
// slots, and generated CodeGen- and gpt_bigcode-shaped models going through the whole engine:
// loaded, prepared, cached decoding equal to recomputation, prepared equal to original.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ensureModel, onnxFileName, quantizedOnnxFileName, seededWeights, TINY_BIGCODE, TINY_CODEGEN, type GenerateOptions, type ParamRole } from '../../scripts/model/generate';
import { GhostwriterError } from '../../src/core/errors';
import { ADAPTERS, adapterForModelType, parseModelConfig, resolveAdapter, supportedModelTypes } from '../../src/inference/arch';
import type { InferenceEngine } from '../../src/inference/engine';
import { resolveModelFolder } from '../../src/inference/model';
import { parseModel } from '../../src/inference/onnx/graph';
import { rewriteForCache } from '../../src/inference/onnx/rewrite';
import { ModelSession } from '../../src/inference/session';
import { kvSlots } from '../../src/inference/signature';
import { loadEngine, modelCopy, refusal } from './helpers';
import { engineAndSessions, expectCachedEqualsRecomputation, expectSameSteps, expectGreedyByRecomputation, maxAbsDiff, PROMPTS, expectPreparedInt8LikeOriginal } from './modelChecks';

// ---- published configs, as their config.json files say (fields the adapters read) --------------

/** Xenova/codegen-350M-mono config.json (huggingface.co, revision 4ecc8a2). */
const CODEGEN_350M_MONO = {
  architectures: ['CodeGenForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 50256,
  model_type: 'codegen',
  n_ctx: 2048,
  n_embd: 1024,
  n_head: 16,
  n_inner: null,
  n_layer: 20,
  n_positions: 2048,
  rotary_dim: 32,
  tie_word_embeddings: false,
  vocab_size: 51200,
};

/** Xenova/tiny_starcoder_py config.json (huggingface.co, revision 7c833c7). */
const TINY_STARCODER_PY = {
  architectures: ['GPTBigCodeForCausalLM'],
  bos_token_id: 0,
  eos_token_id: 0,
  model_type: 'gpt_bigcode',
  multi_query: true,
  n_embd: 768,
  n_head: 12,
  n_inner: 3072,
  n_layer: 20,
  n_positions: 8192,
  vocab_size: 49152,
};

const GPT2 = { model_type: 'gpt2', n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, n_ctx: 1024, vocab_size: 50257, eos_token_id: 50256 };


describe('architecture registry (src/inference/arch)', () => {
  it('maps each model_type to its adapter; no model_type means gpt2', () => {
    assert.deepEqual(supportedModelTypes(), ['gpt2', 'codegen', 'gpt_bigcode', 'qwen2', 'llama']);
    for (const type of supportedModelTypes()) assert.ok(adapterForModelType(type)?.modelTypes.includes(type), type);
    assert.equal(resolveAdapter({ n_layer: 1 }, 'config.json').name, 'gpt2');
    assert.equal(resolveAdapter({ model_type: null }, 'config.json').name, 'gpt2');
    assert.equal(resolveAdapter(CODEGEN_350M_MONO, 'config.json').name, 'codegen');
    assert.equal(resolveAdapter(TINY_STARCODER_PY, 'config.json').name, 'gpt_bigcode');
    assert.equal(new Set(ADAPTERS.flatMap((a) => a.modelTypes)).size, ADAPTERS.flatMap((a) => a.modelTypes).length, 'no model_type is claimed twice');
  });

  it('refuses an unknown model_type, naming it and the supported ones', () => {
    const err = refusal(() => parseModelConfig({ ...GPT2, model_type: 'mistral' }, '/m/config.json'));
    assert.equal(err.code, 'model-invalid');
    assert.equal(err.file, '/m/config.json');
    assert.match(err.message, /model_type "mistral", which Ghostwriter does not support; supported model types: gpt2, codegen, gpt_bigcode, qwen2, llama/);
    assert.match(refusal(() => parseModelConfig({ ...GPT2, model_type: 7 }, 'c.json')).message, /model_type 7/);
  });

  it('gpt2: sizes and the aliases other exports use; a key and a value per layer, [batch, heads, seq, head_dim]', () => {
    const config = parseModelConfig(GPT2, 'c.json');
    assert.deepEqual(config, { modelType: 'gpt2', nLayer: 12, nHead: 12, kvHeads: 12, nEmbd: 768, nPositions: 1024, vocabSize: 50257, eosTokenId: 50256 });
    const aliased = parseModelConfig({ num_hidden_layers: 2, num_attention_heads: 4, hidden_size: 64, max_position_embeddings: 128, vocab_size: 10 }, 'c.json');
    assert.deepEqual([aliased.modelType, aliased.nLayer, aliased.nHead, aliased.nEmbd, aliased.nPositions], ['gpt2', 2, 4, 64, 128]);
    const slots = kvSlots(config);
    assert.equal(slots.length, 24);
    assert.deepEqual(slots.slice(0, 2), [
      { past: 'past_key_values.0.key', present: 'present.0.key', layout: 'BHTD', heads: 12, headDim: 64 },
      { past: 'past_key_values.0.value', present: 'present.0.value', layout: 'BHTD', heads: 12, headDim: 64 },
    ]);
    assert.match(refusal(() => parseModelConfig({ ...GPT2, n_head: 5 }, 'c.json')).message, /n_embd 768, which is not divisible by n_head 5/);
  });

  it('codegen: Xenova/codegen-350M-mono\'s config; GPT-2\'s cache names and layout; n_ctx alone is enough; rotary_dim checked', () => {
    const config = parseModelConfig(CODEGEN_350M_MONO, 'c.json');
    assert.deepEqual(config, { modelType: 'codegen', nLayer: 20, nHead: 16, kvHeads: 16, nEmbd: 1024, nPositions: 2048, vocabSize: 51200, eosTokenId: 50256 });
    const slots = kvSlots(config);
    assert.equal(slots.length, 40);
    assert.deepEqual(slots[39], { past: 'past_key_values.19.value', present: 'present.19.value', layout: 'BHTD', heads: 16, headDim: 64 });
    const { n_positions: _, ...onlyCtx } = CODEGEN_350M_MONO;
    assert.equal(parseModelConfig(onlyCtx, 'c.json').nPositions, 2048);
    assert.equal(parseModelConfig({ ...CODEGEN_350M_MONO, rotary_dim: null }, 'c.json').nHead, 16);
    assert.match(refusal(() => parseModelConfig({ ...CODEGEN_350M_MONO, rotary_dim: 33 }, 'c.json')).message, /rotary_dim 33, expected an even number up to the head size 64/);
    assert.deepEqual(adapterForModelType('codegen')!.fimTokens, []);
  });

  it('gpt_bigcode: Xenova/tiny_starcoder_py\'s config; multi-query is one fused key_value per layer, [batch, seq, 2·head_dim]', () => {
    const config = parseModelConfig(TINY_STARCODER_PY, 'c.json');
    assert.deepEqual(config, { modelType: 'gpt_bigcode', nLayer: 20, nHead: 12, kvHeads: 1, nEmbd: 768, nPositions: 8192, vocabSize: 49152, eosTokenId: 0 });
    const slots = kvSlots(config);
    assert.equal(slots.length, 20);
    assert.deepEqual(slots[0], { past: 'past_key_values.0.key_value', present: 'present.0.key_value', layout: 'BTC', heads: 1, headDim: 128 });
    // multi_query defaults to true (GPTBigCodeConfig).
    const { multi_query: _, ...noFlag } = TINY_STARCODER_PY;
    assert.equal(parseModelConfig(noFlag, 'c.json').kvHeads, 1);
    assert.match(refusal(() => parseModelConfig({ ...TINY_STARCODER_PY, multi_query: 'yes' }, 'c.json')).message, /multi_query "yes", expected true or false/);
  });

  it('gpt_bigcode without multi-query: one fused key_value per layer and head, [batch, heads, seq, 2·head_dim]', () => {
    const config = parseModelConfig({ ...TINY_STARCODER_PY, multi_query: false }, 'c.json');
    assert.equal(config.kvHeads, 12);
    assert.deepEqual(kvSlots(config)[3], { past: 'past_key_values.3.key_value', present: 'present.3.key_value', layout: 'BHTD', heads: 12, headDim: 128 });
  });

  it('FIM token names are exposed per family (StarCoder, SantaCoder for gpt_bigcode; none for GPT-2)', () => {
    const names = adapterForModelType('gpt_bigcode')!.fimTokens;
    assert.deepEqual(names.map((f) => [f.family, f.prefix, f.middle, f.suffix, f.pad]), [
      ['StarCoder', '<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>'],
      ['SantaCoder', '<fim-prefix>', '<fim-middle>', '<fim-suffix>', '<fim-pad>'],
    ]);
    assert.deepEqual(adapterForModelType('gpt2')!.fimTokens, []);
  });
});

// ---- generated models of each architecture through the engine -----------------------------------

const CODEGEN_MERGED: GenerateOptions = { ...TINY_CODEGEN, layout: 'merged' };
const BIGCODE_MULTI_HEAD: GenerateOptions = { ...TINY_BIGCODE, multiQuery: false };
const BIGCODE_MERGED: GenerateOptions = { ...TINY_BIGCODE, layout: 'merged' };
const BIGCODE_LEGACY: GenerateOptions = { ...TINY_BIGCODE, layout: 'legacy' };

interface Case {
  label: string;
  opts: GenerateOptions;
  name: string;
  /** The first past input and its shape in the original graph. */
  past: [string, (string | number)[]];
}

const CASES: Case[] = [
  { label: 'codegen (2 layers, 4 heads of 16, rotary 8)', opts: TINY_CODEGEN, name: 'tiny-codegen', past: ['past_key_values.0.key', ['batch_size', 4, 'past_sequence_length', 16]] },
  { label: 'codegen, merged decoder', opts: CODEGEN_MERGED, name: 'tiny-codegen-merged', past: ['past_key_values.0.key', ['batch_size', 4, 'past_sequence_length', 16]] },
  { label: 'gpt_bigcode multi-query (4 query heads, one K/V head)', opts: TINY_BIGCODE, name: 'tiny-bigcode', past: ['past_key_values.0.key_value', ['batch_size', 'past_sequence_length', 32]] },
  { label: 'gpt_bigcode multi-query, merged decoder', opts: BIGCODE_MERGED, name: 'tiny-bigcode-merged', past: ['past_key_values.0.key_value', ['batch_size', 'past_sequence_length', 32]] },
  { label: 'gpt_bigcode multi-query, legacy export without position_ids', opts: BIGCODE_LEGACY, name: 'tiny-bigcode-legacy', past: ['past_key_values.0.key_value', ['batch_size', 'past_sequence_length', 32]] },
  { label: 'gpt_bigcode without multi-query', opts: BIGCODE_MULTI_HEAD, name: 'tiny-bigcode-mh', past: ['past_key_values.0.key_value', ['batch_size', 4, 'past_sequence_length', 32]] },
];

for (const c of CASES) {
  describe(`engine on a generated ${c.label}`, function () {
    this.timeout(120_000);
    let dir: string;
    let engine: InferenceEngine;
    let session: ModelSession;
    let original: ModelSession;
    let release: () => Promise<void>;
    before(async () => {
      dir = await ensureModel(c.name, c.opts);
      ({ engine, session, original, release } = await engineAndSessions(dir));
    });
    after(() => release?.());

    it('has its architecture\'s config.json and I/O signature', async () => {
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(config.model_type, c.opts.arch);
      assert.equal(engine.info.nLayer, 2);
      const s = await ort.InferenceSession.create(join(dir, 'onnx', onnxFileName(c.opts.layout ?? 'model')));
      try {
        const [name, shape] = c.past;
        const meta = s.inputMetadata.find((m) => m.name === name);
        assert.ok(meta?.isTensor, `${name} in ${s.inputNames.join(', ')}`);
        assert.deepEqual(meta.shape, shape);
        assert.equal(s.inputNames.includes('position_ids'), c.opts.layout !== 'legacy');
        assert.equal(s.inputNames.includes('use_cache_branch'), c.opts.layout === 'merged');
        assert.deepEqual(s.outputNames, ['logits', ...kvSlots((await resolveModelFolder(dir, 'fp32')).config).map((slot) => slot.present)]);
      } finally {
        await s.release();
      }
    });

    it('is prepared: the head runs on the last position, fp32 and int8', async () => {
      assert.equal(engine.info.prepared, true, engine.info.prepareNote);
      assert.equal(session.prepared, true, session.prepareNote);
      assert.equal(original.prepared, false);
      const folder = await resolveModelFolder(dir, 'fp32');
      for (const file of [onnxFileName(c.opts.layout ?? 'model'), quantizedOnnxFileName(c.opts.layout ?? 'model')]) {
        const result = rewriteForCache(parseModel(readFileSync(join(dir, 'onnx', file))), { slots: kvSlots(folder.config), vocabSize: folder.config.vocabSize });
        assert.equal(result.logits, 'head', file);
        assert.equal(result.inlinedBranch, c.opts.layout === 'merged', file);
      }
    });

    it('the prepared graph gives the original graph\'s logits at every step (within 1e-4)', async () => {
      for (const prompt of PROMPTS) await expectSameSteps(session, original, engine.encode(prompt), JSON.stringify(prompt));
    });

    it('cached decoding gives the same next-token logits as the whole sequence without a cache (within 1e-4)', async () => {
      for (const prompt of PROMPTS) await expectCachedEqualsRecomputation(engine, session, prompt);
    });

    it('greedy decoding equals greedy decoding by recomputation; different prompts continue differently', async () => {
      await expectGreedyByRecomputation(engine, 8, true);
    });

    it('attention is real: an earlier token changes the last position\'s logits', async () => {
      const [x, y] = [await engine.logitsWithoutCache([4299, 12900, 261]), await engine.logitsWithoutCache([12900, 4299, 261])];
      assert.ok(maxAbsDiff(x, y) > 1e-2);
    });

    it('the prepared int8 graph decodes the original int8 graph\'s greedy tokens', async () => {
      await expectPreparedInt8LikeOriginal(dir, engine.encode(PROMPTS[0]));
    });
  });
}

// ---- the generated graphs compute their architecture: float64 references ------------------------

type Vec = Float64Array;

function layerNormRef(x: Vec): Vec {
  // The generated LayerNorms are gamma 1, beta 0.
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
}

/** x @ W (+ b), W stored [in, out]. */
function linearRef(x: Vec, w: Float32Array, nOut: number, b?: Float32Array): Vec {
  const out = b ? Float64Array.from(b) : new Float64Array(nOut);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < nOut; j++) out[j] += x[i] * w[i * nOut + j];
  return out;
}

const gelu = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Causal attention of one head: queries q[t], keys k[s], values v[s] (s <= t), scaled by 1/√d. */
function headAttention(q: Vec[], k: Vec[], v: Vec[]): Vec[] {
  const d = q[0].length;
  return q.map((qt, t) => {
    const scores = Array.from({ length: t + 1 }, (_, s) => qt.reduce((acc, x, i) => acc + x * k[s][i], 0) / Math.sqrt(d));
    const max = Math.max(...scores);
    const w = scores.map((x) => Math.exp(x - max));
    const total = w.reduce((a, b) => a + b, 0);
    const out = new Float64Array(v[0].length);
    for (let s = 0; s <= t; s++) for (let i = 0; i < out.length; i++) out[i] += (w[s] / total) * v[s][i];
    return out;
  });
}

function weightsOf(opts: GenerateOptions) {
  const weights = seededWeights(opts.seed);
  return (name: string, dims: number[], role: ParamRole) => weights({ name, dims, role });
}

/** modeling_codegen.py's forward for one unpadded sequence at positions 0..T-1: last-position logits. */
function codegenReference(opts: GenerateOptions, ids: number[], vocab: number): Vec {
  const w = weightsOf(opts);
  const [e, nHead, r] = [opts.nEmbd, opts.nHead, opts.rotaryDim!];
  const d = e / nHead;
  const wte = w('transformer.wte.weight', [vocab, e], 'wte');
  // GPT-J's rotary embedding on the first r channels: pair (2i, 2i+1) turns by t·10000^(−2i/r).
  const rotate = (x: Vec, t: number): Vec => {
    const out = Float64Array.from(x);
    for (let i = 0; i < r / 2; i++) {
      const angle = t / 10000 ** ((2 * i) / r);
      const [a, b] = [x[2 * i], x[2 * i + 1]];
      out[2 * i] = a * Math.cos(angle) - b * Math.sin(angle);
      out[2 * i + 1] = b * Math.cos(angle) + a * Math.sin(angle);
    }
    return out;
  };
  let h = ids.map((id) => Float64Array.from(wte.subarray(id * e, (id + 1) * e)));
  for (let l = 0; l < opts.nLayer; l++) {
    const p = `transformer.h.${l}`;
    const x = h.map(layerNormRef);
    const qkv = x.map((row) => linearRef(row, w(`${p}.attn.qkv_proj.weight`, [e, 3 * e], 'matrix'), 3 * e));
    // mp_num = 4 groups of [query | value | key], each E/4 wide; the groups concatenated give the heads.
    const part = (row: Vec, which: number) => {
      const local = e / 4;
      const out = new Float64Array(e);
      for (let g = 0; g < 4; g++) out.set(row.subarray(g * 3 * local + which * local, g * 3 * local + (which + 1) * local), g * local);
      return out;
    };
    const head = (row: Vec, hd: number) => row.subarray(hd * d, (hd + 1) * d);
    const merged = x.map(() => new Float64Array(e));
    for (let hd = 0; hd < nHead; hd++) {
      const q = qkv.map((row, t) => rotate(Float64Array.from(head(part(row, 0), hd)), t));
      const k = qkv.map((row, t) => rotate(Float64Array.from(head(part(row, 2), hd)), t));
      const v = qkv.map((row) => Float64Array.from(head(part(row, 1), hd)));
      headAttention(q, k, v).forEach((o, t) => merged[t].set(o, hd * d));
    }
    h = h.map((row, t) => {
      const attn = linearRef(merged[t], w(`${p}.attn.out_proj.weight`, [e, e], 'residualProjection'), e);
      const hidden = linearRef(x[t], w(`${p}.mlp.fc_in.weight`, [e, 4 * e], 'matrix'), 4 * e, w(`${p}.mlp.fc_in.bias`, [4 * e], 'bias')).map(gelu);
      const mlp = linearRef(hidden, w(`${p}.mlp.fc_out.weight`, [4 * e, e], 'residualProjection'), e, w(`${p}.mlp.fc_out.bias`, [e], 'bias'));
      return row.map((v, i) => v + attn[i] + mlp[i]);
    });
  }
  const y = layerNormRef(h[h.length - 1]);
  return linearRef(y, w('lm_head.weight', [e, vocab], 'lmHead'), vocab, w('lm_head.bias', [vocab], 'bias'));
}

/** modeling_gpt_bigcode.py's forward (multi-query) for one unpadded sequence: last-position logits. */
function bigcodeReference(opts: GenerateOptions, ids: number[], vocab: number): Vec {
  const w = weightsOf(opts);
  const [e, nHead] = [opts.nEmbd, opts.nHead];
  const d = e / nHead;
  const wte = w('transformer.wte.weight', [vocab, e], 'wte');
  const wpe = w('transformer.wpe.weight', [opts.nPositions, e], 'wpe');
  let h = ids.map((id, t) => Float64Array.from({ length: e }, (_, i) => wte[id * e + i] + wpe[t * e + i]));
  for (let l = 0; l < opts.nLayer; l++) {
    const p = `transformer.h.${l}`;
    const qkv = h.map((row) => linearRef(layerNormRef(row), w(`${p}.attn.c_attn.weight`, [e, e + 2 * d], 'matrix'), e + 2 * d, w(`${p}.attn.c_attn.bias`, [e + 2 * d], 'bias')));
    // The query is [:E]; the one shared key is [E, E+d), the value [E+d, E+2d).
    const k = qkv.map((row) => Float64Array.from(row.subarray(e, e + d)));
    const v = qkv.map((row) => Float64Array.from(row.subarray(e + d, e + 2 * d)));
    const merged = h.map(() => new Float64Array(e));
    for (let hd = 0; hd < nHead; hd++) {
      headAttention(qkv.map((row) => Float64Array.from(row.subarray(hd * d, (hd + 1) * d))), k, v).forEach((o, t) => merged[t].set(o, hd * d));
    }
    h = h.map((row, t) => {
      const attn = linearRef(merged[t], w(`${p}.attn.c_proj.weight`, [e, e], 'residualProjection'), e, w(`${p}.attn.c_proj.bias`, [e], 'bias'));
      return row.map((x, i) => x + attn[i]);
    });
    h = h.map((row) => {
      const hidden = linearRef(layerNormRef(row), w(`${p}.mlp.c_fc.weight`, [e, 4 * e], 'matrix'), 4 * e, w(`${p}.mlp.c_fc.bias`, [4 * e], 'bias')).map(gelu);
      const mlp = linearRef(hidden, w(`${p}.mlp.c_proj.weight`, [4 * e, e], 'residualProjection'), e, w(`${p}.mlp.c_proj.bias`, [e], 'bias'));
      return row.map((x, i) => x + mlp[i]);
    });
  }
  const y = layerNormRef(h[h.length - 1]);
  return Float64Array.from({ length: vocab }, (_, tok) => {
    let acc = 0;
    for (let i = 0; i < e; i++) acc += y[i] * wte[tok * e + i];
    return acc;
  });
}

describe('generated graphs compute their architecture (float64 references)', function () {
  this.timeout(120_000);
  const ids = [4299, 12900, 261, 15496, 2159];
  for (const [label, opts, name, reference] of [
    ['codegen: rotary embedding, qkv groups, parallel attention and MLP, untied head', TINY_CODEGEN, 'tiny-codegen', codegenReference],
    ['gpt_bigcode: one shared key/value head, learned positions, tied head', TINY_BIGCODE, 'tiny-bigcode', bigcodeReference],
  ] as const) {
    it(label, async () => {
      const dir = await ensureModel(name, opts);
      const { config } = await resolveModelFolder(dir, 'fp32');
      const engine = await loadEngine(dir, { prepare: false });
      try {
        const expected = Float32Array.from(reference(opts, ids, config.vocabSize));
        const diff = maxAbsDiff(await engine.logitsWithoutCache(ids), expected);
        assert.ok(diff < 1e-3, `max |diff| ${diff}`);
      } finally {
        await engine.release();
      }
    });
  }
});

// ---- the generated gpt_bigcode tokenizer has StarCoder's FIM tokens ------------------------------

describe('generated gpt_bigcode tokenizer', () => {
  it('lists StarCoder\'s FIM tokens as special added tokens after GPT-2\'s vocabulary, and vocab_size counts them', async () => {
    const dir = await ensureModel('tiny-bigcode', TINY_BIGCODE);
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; content: string; special: boolean }[] };
    const fim = adapterForModelType('gpt_bigcode')!.fimTokens[0];
    const byName = new Map(json.added_tokens.map((t) => [t.content, t]));
    assert.deepEqual([fim.prefix, fim.middle, fim.suffix, fim.pad!].map((n) => [byName.get(n)?.id, byName.get(n)?.special]), [
      [50257, true],
      [50258, true],
      [50259, true],
      [50260, true],
    ]);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { vocab_size: number };
    assert.equal(config.vocab_size, 50261);
    const tokenizerConfig = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as { additional_special_tokens: string[]; added_tokens_decoder: Record<string, { content: string }> };
    assert.deepEqual(tokenizerConfig.additional_special_tokens, ['<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>']);
    assert.equal(tokenizerConfig.added_tokens_decoder['50259'].content, '<fim_suffix>');
    // Document text spelling a FIM token stays text.
    const engine = await loadEngine(dir);
    try {
      const ids = engine.encode('x = "<fim_prefix>"');
      assert.ok(ids.every((id) => id < 50257), JSON.stringify(ids));
      assert.equal(engine.decode(ids), 'x = "<fim_prefix>"');
    } finally {
      await engine.release();
    }
  });
});

// ---- a graph whose cache is not what config.json's model_type implies ---------------------------

describe('a cache that does not fit the model_type is refused, saying what the graph has', function () {
  this.timeout(120_000);
  const refused = async (source: string, edit: (config: Record<string, unknown>) => void): Promise<GhostwriterError> => {
    const copy = modelCopy(source, (d) => {
      const path = join(d, 'config.json');
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      edit(config);
      writeFileSync(path, JSON.stringify(config));
    });
    try {
      const engine = await loadEngine(copy.dir);
      await engine.release();
      assert.fail('loaded');
    } catch (err) {
      assert.ok(err instanceof GhostwriterError, String(err));
      return err;
    } finally {
      copy.cleanup();
    }
  };

  it('a gpt_bigcode graph under model_type gpt2', async () => {
    const err = await refused(await ensureModel('tiny-bigcode', TINY_BIGCODE), (c) => (c.model_type = 'gpt2'));
    assert.equal(err.code, 'model-invalid');
    assert.match(err.message, /fused past_key_values\.N\.key_value cache, as gpt_bigcode exports do, but config\.json says model_type gpt2/);
  });

  it('a codegen graph under model_type gpt_bigcode', async () => {
    const err = await refused(await ensureModel('tiny-codegen', TINY_CODEGEN), (c) => (c.model_type = 'gpt_bigcode'));
    assert.match(err.message, /separate past_key_values\.N\.key \/ \.value inputs/);
  });

  it('a multi-query graph whose config.json says multi_query false', async () => {
    const err = await refused(await ensureModel('tiny-bigcode', TINY_BIGCODE), (c) => (c.multi_query = false));
    assert.match(err.message, /past_key_values\.0\.key_value has rank 3, expected 4/);
  });
});
