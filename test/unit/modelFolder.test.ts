import { strict as assert } from 'node:assert';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GhostwriterError } from '../../src/core/errors';
import { resolveModelFolder } from '../../src/inference/model';
import { loadEngine, modelCopy, tinyModel } from './helpers';

/** Loads a broken copy of TINY and returns the error it was refused with. */
async function refusal(edit: (dir: string) => void): Promise<GhostwriterError> {
  const copy = modelCopy(await tinyModel(), edit);
  try {
    const engine = await loadEngine(copy.dir);
    await engine.release();
    assert.fail('the broken model was loaded');
  } catch (err) {
    assert.ok(err instanceof GhostwriterError, `a GhostwriterError, got ${String(err)}`);
    return err;
  } finally {
    copy.cleanup();
  }
}

const editJson = (file: string, change: (j: Record<string, unknown>) => void) => (dir: string) => {
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  change(json);
  writeFileSync(path, JSON.stringify(json));
};

describe('model folders that do not fit are refused, naming the file or input', () => {
  it('a folder that does not exist', async () => {
    const err = await loadEngine('/nonexistent/model').catch((e: GhostwriterError) => e);
    assert.ok(err instanceof GhostwriterError);
    assert.equal(err.code, 'model-not-found');
    assert.match(err.message, /\/nonexistent\/model does not exist/);
  });

  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    it(`missing ${file}`, async () => {
      const err = await refusal((dir) => rmSync(join(dir, file)));
      assert.equal(err.code, 'model-not-found');
      assert.match(err.message, new RegExp(`no ${file.replace('.', '\\.')}`));
      assert.ok(err.file?.endsWith(file));
    });
  }

  it('missing onnx/model.onnx lists what was looked for', async () => {
    const err = await refusal((dir) => rmSync(join(dir, 'onnx'), { recursive: true }));
    assert.equal(err.code, 'model-not-found');
    assert.match(err.message, /model\.onnx, decoder_model_merged\.onnx/);
  });

  it('config.json that is not JSON', async () => {
    const err = await refusal((dir) => writeFileSync(join(dir, 'config.json'), '{ "n_layer": '));
    assert.equal(err.code, 'model-invalid');
    assert.match(err.message, /config\.json is not valid JSON/);
  });

  it('config.json without n_embd', async () => {
    const err = await refusal(editJson('config.json', (j) => delete j.n_embd));
    assert.match(err.message, /config\.json has no positive integer n_embd/);
  });

  it('a corrupt ONNX file', async () => {
    const err = await refusal((dir) => writeFileSync(join(dir, 'onnx', 'model.onnx'), Buffer.from('this is not a model')));
    assert.equal(err.code, 'model-invalid');
    assert.match(err.message, /ONNX Runtime could not load .*model\.onnx/);
  });

  it('n_layer larger than the graph: names the missing input', async () => {
    const err = await refusal(editJson('config.json', (j) => (j.n_layer = 3)));
    assert.match(err.message, /n_layer 3, but the graph has no input "past_key_values\.2\.key"/);
  });

  it('n_layer smaller than the graph: names the unknown inputs', async () => {
    const err = await refusal(editJson('config.json', (j) => (j.n_layer = 1)));
    assert.match(err.message, /unknown inputs "past_key_values\.1\.key", "past_key_values\.1\.value"/);
  });

  it('n_head that disagrees with the graph', async () => {
    const err = await refusal(editJson('config.json', (j) => (j.n_head = 4)));
    assert.match(err.message, /past_key_values\.0\.key has 2 heads but config\.json says n_head 4/);
  });

  it('vocab_size that disagrees with the logits', async () => {
    const err = await refusal(editJson('config.json', (j) => (j.vocab_size = 60000)));
    assert.match(err.message, /logits have 50257 entries per position but config\.json says vocab_size 60000/);
  });

  it('a tokenizer larger than the vocabulary', async () => {
    const err = await refusal(editJson('config.json', (j) => (j.vocab_size = 50000)));
    assert.match(err.message, /tokenizer\.json has 50257 tokens but config\.json says vocab_size 50000/);
  });

  it('a tokenizer.json that is not a tokenizer', async () => {
    const err = await refusal((dir) => writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'Nonsense' } })));
    assert.equal(err.code, 'tokenizer-invalid');
    assert.match(err.message, /tokenizer\.json .* could not be read as a tokenizer/);
  });
});

describe('which ONNX file is used (ghostwriter.modelFile)', () => {
  it('auto prefers model.onnx on a GPU and the int8 file on the CPU; quantized picks model_quantized.onnx; a missing fp16 file is named', async () => {
    const copy = modelCopy(await tinyModel(), (dir) => copyFileSync(join(dir, 'onnx', 'model.onnx'), join(dir, 'onnx', 'model_quantized.onnx')));
    try {
      assert.match((await resolveModelFolder(copy.dir, 'auto')).onnxPath, /onnx\/model\.onnx$/);
      assert.match((await resolveModelFolder(copy.dir, 'auto', true)).onnxPath, /onnx\/model_quantized\.onnx$/, 'on the CPU auto prefers int8');
      assert.match((await resolveModelFolder(copy.dir, 'fp32')).onnxPath, /onnx\/model\.onnx$/);
      assert.match((await resolveModelFolder(copy.dir, 'quantized')).onnxPath, /onnx\/model_quantized\.onnx$/);
      await assert.rejects(resolveModelFolder(copy.dir, 'fp16'), /No fp16 ONNX file .* model_fp16\.onnx/);
    } finally {
      copy.cleanup();
    }
  });

  it('auto falls back to a quantized file when there is no fp32 one', async () => {
    const copy = modelCopy(await tinyModel(), (dir) => {
      copyFileSync(join(dir, 'onnx', 'model.onnx'), join(dir, 'onnx', 'model_quantized.onnx'));
      rmSync(join(dir, 'onnx', 'model.onnx'));
    });
    try {
      const engine = await loadEngine(copy.dir, { modelFile: 'auto' });
      assert.match(engine.info.onnxPath, /model_quantized\.onnx$/);
      await engine.release();
    } finally {
      copy.cleanup();
    }
  });
});
