// What a request costs before its first token, counted in ONNX Runtime session runs (each one
// model step): a prompt the cache holds up to its last token runs exactly one, however it got
// there (the same prompt again, a warm-up, after the look-ahead decoded on in that cache); a cold
// prompt runs in the chunks the request asked for.
import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import type { InferenceEngine } from '../../src/inference/engine';
import { loadEngine, tinyModel } from './helpers';
import { options, snap } from './modelChecks';

/** Counts every session.run of this process's ONNX Runtime while installed. */
function countRuns(): { readonly runs: number; restore(): void } {
  const proto = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<unknown> } }).prototype;
  const run = proto.run;
  const counter = {
    runs: 0,
    restore: () => {
      proto.run = run;
    },
  };
  proto.run = function (this: unknown, ...args: unknown[]) {
    counter.runs++;
    return run.apply(this, args);
  };
  return counter;
}

describe('model steps before the first token', function () {
  this.timeout(60_000);
  let engine: InferenceEngine;
  let counter: ReturnType<typeof countRuns>;
  before(async () => {
    engine = await loadEngine(await tinyModel());
  });
  after(() => engine?.release());
  beforeEach(() => (counter = countRuns()));
  afterEach(() => counter.restore());

  /** Runs `prefix` and returns the session runs before its first token, and what was cached. */
  async function stepsBeforeFirstToken(prefix: string, extra: Parameters<typeof options>[0] = {}): Promise<{ steps: number; cached: number; prompt: number }> {
    let steps = -1;
    const at = counter.runs;
    const r = await engine.complete(snap(prefix), options({ maxNewTokens: 4, ...extra }), undefined, () => (steps = counter.runs - at));
    assert.ok(steps >= 0, 'a first token');
    return { steps, cached: r.timings.cachedTokens ?? 0, prompt: r.promptTokenIds.length };
  }

  const DOC = 'def area(width, height):\n    result = width * height\n    return result\n\n\nclass Shape:\n    def __init__(self, name):\n        self.name = name\n';

  it('the same prompt again: one step', async () => {
    await stepsBeforeFirstToken(DOC);
    const again = await stepsBeforeFirstToken(DOC);
    assert.equal(again.cached, again.prompt - 1, 'cached up to its last token');
    assert.equal(again.steps, 1);
  });

  it('after the look-ahead decoded on in the same cache: one step', async () => {
    await stepsBeforeFirstToken(DOC);
    await engine.lookAhead(new AbortController().signal, () => undefined);
    const again = await stepsBeforeFirstToken(DOC, { prefillChunk: 16 });
    assert.equal(again.cached, again.prompt - 1);
    assert.equal(again.steps, 1);
  });

  it('after a warm-up of the prompt: one step, with small or large chunks', async () => {
    for (const prefillChunk of [16, 512]) {
      const doc = `${DOC}\n# chunk ${prefillChunk}\n`;
      await engine.complete(snap(doc), options({ prefillOnly: true, prefillChunk }));
      const warmed = await stepsBeforeFirstToken(doc, { prefillChunk });
      assert.equal(warmed.cached, warmed.prompt - 1);
      assert.equal(warmed.steps, 1, `prefillChunk ${prefillChunk}`);
    }
  });

  it('a cold prompt runs in the chunks asked for', async () => {
    const small = await stepsBeforeFirstToken(DOC, { cache: 'cold', prefillChunk: 16 });
    assert.ok(small.prompt > 32, `a prompt of several chunks (${small.prompt} tokens)`);
    assert.equal(small.steps, Math.ceil(small.prompt / 16));
    const large = await stepsBeforeFirstToken(DOC, { cache: 'cold', prefillChunk: 512 });
    assert.equal(large.steps, 1);
  });
});
