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
  describeVariant,
  downloadedVariants,
  ENGINE_MODEL_TYPES,
  formatSize,
  recommendedEntry,
  variantByModelFile,
} from '../../src/core/hub/catalog';
import { onnxCandidates } from '../../src/core/hub/files';
import { parseRepoId, resolveModel } from '../../src/core/hub/index';
import { supportedModelTypes } from '../../src/inference/arch/index';
import { tinyModel } from './helpers';
import { HubStandIn } from './hubStandIn';

const ALL_TYPES = ['gpt2', 'codegen', 'gpt_bigcode', 'qwen2', 'llama'];

describe('the model catalog', () => {
  it('has the four GPT-2-family exports, each a valid repo id with distinct variants', () => {
    assert.deepEqual(
      CATALOG.map((e) => e.repoId),
      ['Xenova/gpt2', 'Xenova/distilgpt2', 'Xenova/codegen-350M-mono', 'Xenova/tiny_starcoder_py'],
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
        assert.ok(v.bytes > 10e6 && v.bytes < 5e9, `${entry.repoId} ${v.kind}: ${v.bytes}`);
      }
      assert.ok(entry.extraBytes > 1e6 && entry.extraBytes < 5e6);
    }
  });

  it('knows the model types the engine loads (the architecture registry) and offers only those', () => {
    assert.deepEqual([...ENGINE_MODEL_TYPES].sort(), supportedModelTypes().sort());
    for (const entry of CATALOG) assert.ok(ENGINE_MODEL_TYPES.includes(entry.modelType), `${entry.repoId}: ${entry.modelType}`);
  });

  it('recommends a code model: TinyStarCoder on the CPU, CodeGen on CUDA; GPT-2 where only it loads', () => {
    assert.equal(recommendedEntry(true).repoId, 'Xenova/tiny_starcoder_py');
    assert.equal(recommendedEntry(false).repoId, 'Xenova/codegen-350M-mono');
    assert.equal(recommendedEntry(true, ['gpt2']).repoId, 'Xenova/gpt2');
    assert.equal(recommendedEntry(false, ['gpt2']).repoId, 'Xenova/gpt2');
    assert.equal(recommendedEntry(true, ALL_TYPES).repoId, 'Xenova/tiny_starcoder_py');
    assert.equal(recommendedEntry(false, ALL_TYPES).repoId, 'Xenova/codegen-350M-mono');
    assert.equal(recommendedEntry(true, []).repoId, 'Xenova/gpt2', 'the first entry when nothing matches');
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
