// The latency machinery end to end through the real inference process: KV reuse across
// keystrokes, typed-ahead answers with no model run, the background look-ahead, latest-wins.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DEFAULTS, type Settings } from '../../src/core/config';
import { CompletionService } from '../../src/core/completionService';
import { EngineClient, forkInference } from '../../src/core/engineClient';
import { createLogger, type LogLevel } from '../../src/core/logger';
import type { CompletionOptions } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';
import { preparedCacheDir, repoRoot, tinyModel } from './helpers';

const DOC = 'def area(width, height):\n    result = width * height\n    return result\n\nsize = area';
const snap = (prefix: string, suffix = '') => createSnapshot({ prefix, suffix, languageId: 'python', path: '/w/a.py', version: prefix.length, prefixOffset: 0 });
const options = (o: Partial<CompletionOptions> = {}): CompletionOptions => ({
  temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, maxNewTokens: 8, contextTokens: 200, timeoutMs: 60_000, newline: 'singleLine', numReturnSequences: 1, seed: 1, ...o,
});

function setup() {
  const lines: [LogLevel, string][] = [];
  const log = createLogger((level, message) => lines.push([level, message]));
  const client = new EngineClient(forkInference(join(repoRoot(), 'dist', 'inference.js')), log);
  const calls = { complete: 0 };
  const complete = client.complete.bind(client);
  client.complete = (...args: Parameters<EngineClient['complete']>) => (calls.complete++, complete(...args));
  return { client, lines, calls, log };
}

describe('latency: cache reuse, typed-ahead, look-ahead, latest-wins', function () {
  this.timeout(60_000);
  let ctx: ReturnType<typeof setup>;
  let service: CompletionService;
  let settings: Settings;
  beforeEach(async () => {
    ctx = setup();
    service = new CompletionService(ctx.client, ctx.log, preparedCacheDir());
    // fp32: int8's dynamic quantization scales activations per call, so a cached run and a cold one may round apart.
    settings = { ...DEFAULTS, modelPath: await tinyModel(), modelFile: 'fp32', temperature: 0, debounceMs: 0, executionProvider: 'cpu', lineMode: 'singleLine' };
    assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
  });
  afterEach(() => {
    service.dispose();
    ctx.client.dispose();
  });

  const cachedOfLast = () => {
    const line = ctx.lines.map(([, m]) => /(\d+) prompt tokens \((\d+) cached\)/.exec(m)).filter(Boolean).pop();
    assert.ok(line, 'a per-request log line with cached prompt tokens');
    return { prompt: Number(line[1]), cached: Number(line[2]) };
  };

  it('after a one-character edit the prompt is served from the cache, and the log says how much', async () => {
    await service.complete(snap(DOC), settings, new AbortController().signal);
    assert.equal(cachedOfLast().cached, 0, 'the first request is cold');
    await service.complete(snap(DOC + 'X', ''), settings, new AbortController().signal, 'explicit');
    const { prompt, cached } = cachedOfLast();
    assert.ok(cached >= prompt - 2, `${cached} of ${prompt} prompt tokens cached`);
  });

  it('typing the first characters of a suggestion shows the rest of that same suggestion, with no model run', async () => {
    const first = await service.complete(snap(DOC), settings, new AbortController().signal);
    const shown = first.texts[0];
    assert.ok(shown && shown.length >= 2, `a suggestion to type into: ${JSON.stringify(shown)}`);
    const before = ctx.calls.complete;
    for (let k = 1; k < Math.min(shown.length, 4); k++) {
      const next = await service.complete(snap(DOC + shown.slice(0, k)), settings, new AbortController().signal);
      assert.equal(next.source, 'typed-ahead');
      assert.deepEqual(next.texts, [shown.slice(k)]);
    }
    assert.equal(ctx.calls.complete, before, 'no request reached the inference process');
    // Typing something else is a new request.
    const other = await service.complete(snap(DOC + '#'), settings, new AbortController().signal);
    assert.equal(other.source, 'model');
    assert.equal(ctx.calls.complete, before + 1);
  });

  it('an automatic trigger answers early, and the look-ahead grows it into the full suggestion, with no new request', async () => {
    const early = new CompletionService(ctx.client, ctx.log, preparedCacheDir(), 0);
    try {
      assert.equal((await early.ensureLoaded(settings)).kind, 'ready');
      const grew = new Promise((resolve) => early.onDidGrowSuggestion(resolve));
      const first = await early.complete(snap(DOC + ' '), settings, new AbortController().signal);
      // The look-ahead runs while nothing else asks the process for work.
      await grew;
      const requests = ctx.calls.complete;
      early.refresh();
      const grown = await early.complete(snap(DOC + ' '), settings, new AbortController().signal, 'explicit');
      assert.equal(grown.source, 'typed-ahead');
      assert.equal(ctx.calls.complete, requests, 'no model run');
      assert.ok(grown.texts[0].startsWith(first.texts[0]) && grown.texts[0].length > first.texts[0].length, JSON.stringify(grown.texts[0]));
      const fullThere = await service.complete(snap(DOC + ' '), settings, new AbortController().signal, 'explicit');
      assert.ok(first.texts[0].length < fullThere.texts[0].length, `early ${JSON.stringify(first.texts[0])} of ${JSON.stringify(fullThere.texts[0])}`);
      assert.ok(fullThere.texts[0].startsWith(grown.texts[0]), `grown ${JSON.stringify(grown.texts[0])} vs full ${JSON.stringify(fullThere.texts[0])}`);
    } finally {
      early.dispose();
    }
  });

  it('the look-ahead continues past the answer in the background, in the same cache', async () => {
    // 12 tokens past the answer, reported every 6 and at the end: the third report holds all of it.
    const text = await new Promise<string>((resolve, reject) => {
      const reports: string[] = [];
      void ctx.client
        .complete(snap(DOC), options({ lookAheadTokens: 12 }), new AbortController().signal, (t) => {
          reports.push(t);
          if (reports.length === 3) resolve(t);
        })
        .then((r) => r || reject(new Error('no result')));
    });
    const result = await ctx.client.complete(snap(DOC), options({ maxNewTokens: 8 }), new AbortController().signal);
    assert.ok(result);
    assert.ok(text.startsWith(result.completions[0].text), `${JSON.stringify(text)} continues ${JSON.stringify(result.completions[0].text)}`);
    assert.ok(text.length > result.completions[0].text.length, 'it decoded further');
    // The greedy look-ahead is what a longer request decodes.
    const longer = await ctx.client.complete(snap(DOC), options({ maxNewTokens: 64, newline: 'none', cache: 'cold' }), new AbortController().signal);
    assert.ok(longer!.completions[0].text.startsWith(text), `${JSON.stringify(longer!.completions[0].text)} starts with the look-ahead`);
  });

  it('latest wins in the process: a new request aborts the one before it without being aborted itself', async () => {
    const long = ctx.client.complete(snap(DOC), options({ maxNewTokens: 200, newline: 'none' }), new AbortController().signal);
    const next = ctx.client.complete(snap(DOC + ' '), options({ maxNewTokens: 2 }), new AbortController().signal);
    assert.equal(await long, undefined, 'superseded');
    assert.equal((await next)?.completions.length, 1);
  });

  it('a warm-up runs the prompt into the cache, so the first request there reuses it', async () => {
    const other = 'import os\nimport sys\n\nfor name in os.listdir(sys.argv[1]):\n    print(name';
    service.warm(snap(other), settings);
    // The warm-up is a prefill-only request; wait for its log line.
    const until = async (f: () => boolean) => {
      while (!f()) await new Promise((r) => setTimeout(r, 5));
    };
    await until(() => ctx.lines.some(([, m]) => /prefill only/.test(m)));
    await service.complete(snap(other), settings, new AbortController().signal);
    const { prompt, cached } = cachedOfLast();
    assert.equal(cached, prompt - 1, 'all but the last prompt token came from the warm-up');
  });
});
