// The built-in catalog: its entries fit the download selection and the loader, the recommendation
// for a machine, sizes as the hub shows them, and "downloaded" read from the cache with no request.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CATALOG,
  catalogEntry,
  defaultVariant,
  describeLanguages,
  describeVariant,
  downloadedVariants,
  ENGINE_MODEL_TYPES,
  formatSize,
  variantByModelFile,
} from '../../src/core/hub/catalog';
import { onnxCandidates } from '../../src/core/hub/files';
import { CORES_FOR_LARGE, recommend, RUNTIME_OVERHEAD } from '../../src/core/hub/recommend';
import { parseRepoId, resolveModel } from '../../src/core/hub/index';
import { supportedModelTypes } from '../../src/inference/arch/index';
import { tinyModel } from './helpers';
import { HubStandIn } from './hubStandIn';

const ALL_TYPES = ['gpt2', 'codegen', 'gpt_bigcode', 'qwen2', 'llama'];

describe('the model catalog', () => {
  it('has the GPT-2-family exports and the multi-language code models, each a valid repo id with distinct variants', () => {
    assert.deepEqual(
      CATALOG.map((e) => e.repoId),
      [
        'Xenova/gpt2',
        'Xenova/distilgpt2',
        'Xenova/codegen-350M-mono',
        'Xenova/tiny_starcoder_py',
        'onnx-community/Qwen2.5-Coder-0.5B-Instruct',
        'onnx-community/Qwen2.5-Coder-1.5B',
        'Xenova/deepseek-coder-1.3b-base',
        'Xenova/starcoderbase-1b',
      ],
    );
    for (const entry of CATALOG) {
      assert.deepEqual(parseRepoId(entry.repoId), { repoId: entry.repoId });
      const kinds = entry.variants.map((v) => v.kind);
      assert.equal(new Set(kinds).size, kinds.length, entry.repoId);
      assert.ok(kinds.includes('int8') && kinds.includes('fp32'), `${entry.repoId} has int8 and fp32`);
      assert.ok(ALL_TYPES.includes(entry.modelType), entry.modelType);
    }
  });

  it('each variant names a file the download selection takes for its modelFile, with a size', () => {
    for (const entry of CATALOG) {
      for (const v of entry.variants) {
        assert.equal(v.modelFile, { int8: 'quantized', fp16: 'fp16', fp32: 'fp32' }[v.kind]);
        assert.ok(onnxCandidates(v.modelFile, true).includes(v.file), `${entry.repoId} ${v.kind}: ${v.file} is not a ${v.modelFile} candidate`);
        assert.ok(v.bytes > 10e6 && v.bytes < 7e9, `${entry.repoId} ${v.kind}: ${v.bytes}`);
      }
      // Qwen's tokenizer.json is about 7 MB (151,665 tokens).
      assert.ok(entry.extraBytes > 1e6 && entry.extraBytes < 1e7);
    }
  });

  it('knows the model types the engine loads (the architecture registry) and offers only those', () => {
    assert.deepEqual([...ENGINE_MODEL_TYPES].sort(), supportedModelTypes().sort());
    for (const entry of CATALOG) assert.ok(ENGINE_MODEL_TYPES.includes(entry.modelType), `${entry.repoId}: ${entry.modelType}`);
  });

  it('says which languages each entry knows; a one-language model says so', () => {
    assert.equal(describeLanguages(catalogEntry('Xenova/tiny_starcoder_py')!), 'Python only');
    assert.equal(describeLanguages(catalogEntry('Xenova/codegen-350M-mono')!), 'Python only');
    assert.equal(describeLanguages(catalogEntry('Xenova/gpt2')!), 'English text, not code');
    assert.match(describeLanguages(catalogEntry('onnx-community/Qwen2.5-Coder-0.5B-Instruct')!), /^many programming languages \(JavaScript, TypeScript, Python, .*…\)$/);
    assert.match(describeLanguages(catalogEntry('Xenova/starcoderbase-1b')!), /^80\+ programming languages/);
    for (const entry of CATALOG) assert.ok(describeLanguages(entry).length > 0);
  });

  describe('the recommendation, from the machine', () => {
    const GB = 1e9;
    const qwen05 = catalogEntry('onnx-community/Qwen2.5-Coder-0.5B-Instruct')!;
    const qwen15 = catalogEntry('onnx-community/Qwen2.5-Coder-1.5B')!;
    it('a CPU with few cores: Qwen2.5-Coder 0.5B int8, saying why', () => {
      const r = recommend({ gpu: false, cores: 4, freeBytes: 8 * GB });
      assert.equal(r.entry.repoId, qwen05.repoId);
      assert.equal(r.variant.kind, 'int8');
      assert.match(r.why, /^no GPU, 4 cores, 8 GB free: the 0\.5B answers quickly on 4 cores \(the 1\.5B wants 8 or more\); many programming languages/);
    });
    it('many cores and the memory for it: the 1.5B int8; a GPU: the 1.5B on it', () => {
      const cpu = recommend({ gpu: false, cores: CORES_FOR_LARGE, freeBytes: 8 * GB });
      assert.deepEqual([cpu.entry.repoId, cpu.variant.kind], [qwen15.repoId, 'int8']);
      assert.match(cpu.why, /8 cores keep up with the 1\.5B's int8 file/);
      const gpu = recommend({ gpu: true, cores: 2, freeBytes: 8 * GB });
      assert.deepEqual([gpu.entry.repoId, gpu.variant.kind], [qwen15.repoId, 'fp16']);
      assert.match(gpu.why, /^a GPU, 2 cores, 8 GB free: the GPU runs the 1\.5B fast/);
    });
    it('free memory decides: the 1.5B only where its variant fits, then the 0.5B, then a small model that says it is Python only', () => {
      const int8Of = (e: typeof qwen05) => e.variants.find((v) => v.kind === 'int8')!.bytes * RUNTIME_OVERHEAD;
      assert.equal(recommend({ gpu: false, cores: 16, freeBytes: int8Of(qwen15) - 1 }).entry.repoId, qwen05.repoId);
      assert.equal(recommend({ gpu: false, cores: 16, freeBytes: int8Of(qwen15) }).entry.repoId, qwen15.repoId);
      const tight = recommend({ gpu: false, cores: 2, freeBytes: int8Of(qwen05) - 1 });
      assert.equal(tight.entry.repoId, 'Xenova/tiny_starcoder_py');
      assert.match(tight.why, /need more free memory; this one fits \(Python only\)/);
      assert.equal(recommend({ gpu: false, cores: 2, freeBytes: 1e6 }).entry.repoId, 'Xenova/distilgpt2');
    });
    it('only what the engine loads', () => {
      assert.equal(recommend({ gpu: false, cores: 4, freeBytes: 8 * GB }, ['gpt2', 'gpt_bigcode']).entry.repoId, 'Xenova/tiny_starcoder_py');
      assert.equal(recommend({ gpu: false, cores: 4, freeBytes: 8 * GB }, ['gpt2']).entry.repoId, 'Xenova/distilgpt2');
    });
  });

  it('the default variant: int8 on the CPU, fp16 (else fp32) on CUDA', () => {
    const gpt2 = catalogEntry('Xenova/gpt2')!;
    const distil = catalogEntry('Xenova/distilgpt2@main')!;
    assert.equal(defaultVariant(gpt2, true).kind, 'int8');
    assert.equal(defaultVariant(gpt2, false).kind, 'fp16');
    assert.equal(defaultVariant(distil, false).kind, 'fp32', 'no loadable fp16 file in the listing');
    assert.equal(variantByModelFile(gpt2, 'auto', true)?.kind, 'int8');
    assert.equal(variantByModelFile(gpt2, 'fp32', true)?.file, 'onnx/model.onnx');
    assert.equal(variantByModelFile(distil, 'fp16', true), undefined);
    assert.equal(catalogEntry('owner/other'), undefined);
  });

  it('sizes read as the hub writes them, estimates said to be', () => {
    assert.equal(formatSize(84.9e6), '84.9 MB');
    assert.equal(formatSize(283.12e6), '283 MB');
    assert.equal(formatSize(1.432e9), '1.43 GB');
    assert.equal(formatSize(2.12e6), '2.12 MB');
    assert.equal(formatSize(1e6), '1 MB');
    assert.equal(formatSize(512), '512 B');
    const gpt2 = catalogEntry('Xenova/gpt2')!;
    assert.equal(describeVariant(gpt2, defaultVariant(gpt2, true)), 'int8, about 283 MB');
    assert.equal(describeVariant(gpt2, defaultVariant(gpt2, false)), 'fp16, 253 MB');
  });

  describe('downloaded or not, from the cache alone', () => {
    let standIn: HubStandIn;
    let cacheRoot: string;
    before(async () => {
      standIn = await new HubStandIn({ 'Xenova/gpt2': { dir: await tinyModel() } }).start();
      cacheRoot = mkdtempSync(join(tmpdir(), 'ghostwriter-catalog-'));
    });
    after(async () => {
      await standIn?.close();
      rmSync(cacheRoot, { recursive: true, force: true });
    });

    it('nothing, then the variant that was downloaded; no request is made to find out', async () => {
      const gpt2 = catalogEntry('Xenova/gpt2')!;
      assert.deepEqual(await downloadedVariants(gpt2, cacheRoot), []);
      await resolveModel({ source: 'Xenova/gpt2', modelFile: 'quantized', endpoint: standIn.url, cacheRoot });
      const requests = standIn.requests.length;
      assert.deepEqual(await downloadedVariants(gpt2, cacheRoot), ['int8']);
      await resolveModel({ source: 'Xenova/gpt2', modelFile: 'fp32', endpoint: standIn.url, cacheRoot });
      const after = standIn.requests.length;
      assert.ok(after > requests, 'fp32 was downloaded');
      assert.deepEqual(await downloadedVariants(gpt2, cacheRoot), ['int8', 'fp32']);
      assert.equal(standIn.requests.length, after, 'reading the cache asks nothing');
    });
  });
});
