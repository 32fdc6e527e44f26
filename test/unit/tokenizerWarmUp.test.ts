// The tokenizer is warmed at load, so the first prompt after a paste does not pay for cold code.
import { strict as assert } from 'node:assert';
import { createLogger } from '../../src/core/logger';
import { loadTokenizer } from '../../src/core/tokenizer';
import { InferenceEngine } from '../../src/inference/engine';
import { warmTokenizer } from '../../src/inference/tokenizerWarmUp';
import { preparedCacheDir, tinyModel } from './helpers';

describe('the tokenizer warms up at load', function () {
  this.timeout(60_000);

  it('encodes several hundred tokens of code in several languages', async () => {
    const tokens = warmTokenizer(await loadTokenizer(await tinyModel()));
    assert.ok(tokens > 400, `${tokens} tokens`);
  });

  it('the engine runs it while it loads, and logs it', async () => {
    const lines: string[] = [];
    const engine = await InferenceEngine.load({ modelDir: await tinyModel(), modelFile: 'fp32', executionProvider: 'cpu', cacheDir: preparedCacheDir() }, createLogger((_l, m) => lines.push(m)));
    try {
      assert.ok(lines.some((l) => /tokenizer warmed up on \d{3,} tokens of sample code/.test(l)), lines.join('\n'));
    } finally {
      await engine.release();
    }
  });
});
