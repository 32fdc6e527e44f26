// The FIM template of a server's model from its own tokenizer files on the hub (a stand-in):
// tokenizer_config.json first, tokenizer.json when that does not say; only those files asked.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { templateFromHub } from '../../../src/core/remote/hubTokenizer';
import { HubStandIn } from '../hubStandIn';

describe('the FIM template from a hub model\'s tokenizer', () => {
  let root: string;
  let hub: HubStandIn;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ghostwriter-fimtok-'));
    const repo = (name: string, files: Record<string, unknown>) => {
      const dir = join(root, name);
      mkdirSync(dir);
      for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), JSON.stringify(v));
      writeFileSync(join(dir, 'model.safetensors'), 'weights');
      return { dir };
    };
    hub = await new HubStandIn({
      'team/coder-q': repo('q', { 'tokenizer_config.json': { added_tokens_decoder: { 1: { content: '<|fim_prefix|>' }, 2: { content: '<|fim_middle|>' }, 3: { content: '<|fim_suffix|>' } } }, 'tokenizer.json': { added_tokens: [] } }),
      'team/coder-s': repo('s', { 'tokenizer_config.json': { model_max_length: 8192 }, 'tokenizer.json': { added_tokens: ['<fim_prefix>', '<fim_middle>', '<fim_suffix>'].map((content, id) => ({ id, content })) } }),
      'team/plain': repo('p', { 'tokenizer_config.json': {}, 'tokenizer.json': { added_tokens: [{ id: 0, content: '<|endoftext|>' }] } }),
    }).start();
  });
  after(async () => {
    await hub.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('Qwen tokens in tokenizer_config.json: qwen, and tokenizer.json is not fetched', async () => {
    const before = hub.requests.length;
    assert.equal(await templateFromHub('team/coder-q', { endpoint: hub.url }, silentLogger), 'qwen');
    const urls = hub.requests.slice(before).map((r) => r.url);
    assert.ok(urls.some((u) => u.endsWith('/tokenizer_config.json')));
    assert.ok(!urls.some((u) => u.endsWith('/tokenizer.json') || u.includes('model.safetensors')), urls.join(', '));
  });

  it('StarCoder tokens in tokenizer.json only: starcoder; a tokenizer without FIM tokens: none', async () => {
    assert.equal(await templateFromHub('team/coder-s', { endpoint: hub.url }, silentLogger), 'starcoder');
    assert.equal(await templateFromHub('team/plain', { endpoint: hub.url }, silentLogger), 'none');
    assert.ok(!hub.requests.some((r) => r.url.includes('model.safetensors')));
  });

  it('not a hub id (an Ollama tag, a served name): undefined, and the hub is not asked', async () => {
    const before = hub.requests.length;
    assert.equal(await templateFromHub('qwen2.5-coder:7b', { endpoint: hub.url }, silentLogger), undefined);
    assert.equal(await templateFromHub('my-coder', { endpoint: hub.url }, silentLogger), undefined);
    assert.equal(hub.requests.length, before);
  });

  it('a repo the hub does not have: undefined (the name decides)', async () => {
    assert.equal(await templateFromHub('team/missing', { endpoint: hub.url }, silentLogger), undefined);
  });
});
