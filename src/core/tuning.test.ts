import { strict as assert } from 'node:assert';
import { DEFAULTS } from './config';
import { tuned } from './tuning';

describe('settings tuned to the measured speed', () => {
  const unset = { ...DEFAULTS, explicit: new Set<never>() };

  it('a fast machine keeps the defaults (tuning never raises them)', () => {
    const t = tuned(unset, { msPerToken: 5, prefillMsPerToken: 0.2 });
    assert.deepEqual([t.contextTokens, t.maxNewTokens, t.timeoutMs], [512, 32, 1000]);
  });

  it('a slow machine gets a shorter context, shorter suggestions and a deadline that fits them', () => {
    const t = tuned(unset, { msPerToken: 100, prefillMsPerToken: 4 });
    assert.deepEqual([t.contextTokens, t.maxNewTokens], [250, 8]);
    assert.equal(t.timeoutMs, 2700, '1.5 × (250·4 + 8·100)');
  });

  it('values the user set are left alone; without an explicit set nothing is tuned', () => {
    const t = tuned({ ...DEFAULTS, contextTokens: 1024, explicit: new Set(['contextTokens'] as const) }, { msPerToken: 100, prefillMsPerToken: 4 });
    assert.equal(t.contextTokens, 1024);
    assert.equal(t.maxNewTokens, 8);
    assert.equal(tuned(DEFAULTS, { msPerToken: 100, prefillMsPerToken: 4 }), DEFAULTS);
  });
});
