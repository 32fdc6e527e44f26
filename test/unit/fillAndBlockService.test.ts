// The service with a FIM model and without: whether a cursor before other text is asked at all,
// the policy and context the decoder gets, and the larger token budget of a block.
import { strict as assert } from 'node:assert';
import { BLOCK_BUDGET_FACTOR } from '../../src/core/completion/blockBudget';
import { CompletionService } from '../../src/core/completionService';
import { DEFAULTS, type Settings } from '../../src/core/config';
import type { EngineClient } from '../../src/core/engineClient';
import { silentLogger } from '../../src/core/logger';
import type { CompletionOptions, CompletionResult } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';

/** An engine client whose model is FIM or not, answering `text` and recording what it was asked. */
function fakeClient(fim: boolean, text: string) {
  const asked: CompletionOptions[] = [];
  const client = {
    async load() {
      return { name: 'fake', dir: '/fake', onnxPath: '/fake/model.onnx', provider: 'cpu', nLayer: 1, nHead: 1, nEmbd: 8, nPositions: 64, vocabSize: 10, loadMs: 0, fim };
    },
    stop() {},
    setIdleUnload() {},
    async complete(_s: unknown, o: CompletionOptions): Promise<CompletionResult> {
      asked.push(o);
      return { completions: [{ text, tokenIds: [1], stopReason: 'eos' }], promptTokenIds: [1], timings: { tokenizeMs: 0, prefillMs: 0, decodeMs: 0, totalMs: 0, newTokens: 1 } };
    },
  };
  return { client: client as unknown as EngineClient, asked };
}

async function serviceWith(fim: boolean, text: string) {
  const { client, asked } = fakeClient(fim, text);
  const service = new CompletionService(client, silentLogger);
  service.setModelSource(async (s) => ({ dir: s.modelPath, name: 'fake' }));
  const settings: Settings = { ...DEFAULTS, modelPath: '/fake', debounceMs: 0, temperature: 0 };
  assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
  return { service, settings, asked };
}

const at = (prefix: string, suffix: string, languageId = 'python') => createSnapshot({ prefix, suffix, languageId, path: `a.${languageId}`, version: 1 });

describe('the service fills in a line with a FIM model only', () => {
  const midLine = at('print(', ', file=sys.stderr)\n');

  it('FIM: a cursor before other text is asked for one line, and the copy of the rest is cut', async () => {
    const { service, settings, asked } = await serviceWith(true, '"error", file=sys.stderr)');
    const answer = await service.complete(midLine, settings, new AbortController().signal, 'explicit');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].newline, 'singleLine');
    assert.deepEqual(answer.texts, ['"error"']);
    service.dispose();
  });

  it('without FIM the model cannot see the rest: no request', async () => {
    const { service, settings, asked } = await serviceWith(false, '"error"');
    const answer = await service.complete(midLine, settings, new AbortController().signal, 'explicit');
    assert.equal(asked.length, 0);
    assert.deepEqual(answer.texts, []);
    service.dispose();
  });
});

describe('a block gets a larger token budget than a line', () => {
  it('a line a block may follow grows to several lines\' budgets, a plain line to one, and the context says a block may follow', async () => {
    const { service, settings, asked } = await serviceWith(true, 'x');
    await service.complete(at('const obj = ', '\n', 'javascript'), settings, new AbortController().signal, 'explicit');
    await service.complete(at('print(', ', file=f)\n'), settings, new AbortController().signal, 'explicit');
    assert.equal(asked[0].context?.followBlock, true);
    assert.equal(asked[0].growTo, settings.maxNewTokens * BLOCK_BUDGET_FACTOR);
    assert.equal(asked[0].maxNewTokens, settings.maxNewTokens * BLOCK_BUDGET_FACTOR, 'an explicit trigger decodes it all');
    assert.equal(asked[1].context?.followBlock, undefined);
    assert.equal(asked[1].growTo, settings.maxNewTokens);
    service.dispose();
  });

  it('the block grows in the editor from the same early answer', async () => {
    const { service, settings, asked } = await serviceWith(true, 'x');
    await service.complete(at('def f(n):', '\n'), settings, new AbortController().signal, 'automatic');
    assert.equal(asked[0].newline, 'multiLine');
    assert.equal(asked[0].growTo, settings.maxNewTokens * BLOCK_BUDGET_FACTOR);
    service.dispose();
  });
});
