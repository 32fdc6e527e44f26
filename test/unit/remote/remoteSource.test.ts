// The remote source against a stand-in of each engine on 127.0.0.1: streamed text through the
// place's stops, the connection closed when a stop fires, on a new keystroke and on abort; the
// deadline; each engine's errors with its own message; llama.cpp's 501 for a model without FIM.
import { strict as assert } from 'node:assert';
import { requestContext } from '../../../src/core/completion/requestContext';
import { GhostwriterError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/logger';
import type { CompletionOptions } from '../../../src/core/protocol';
import { DIALECTS } from '../../../src/core/remote/dialects';
import { RemoteSource, type RemoteConfig } from '../../../src/core/remote/remoteSource';
import { createSnapshot, type DocumentSnapshot } from '../../../src/core/snapshot';
import { StandInServer, errorBody, type Dialect, type StandInOptions } from '../../standins/server';

const at = (prefix: string, suffix = '\n'): DocumentSnapshot => createSnapshot({ prefix, suffix, languageId: 'python', path: 'a.py', version: 1 });

function options(snapshot: DocumentSnapshot, o: Partial<CompletionOptions> = {}): CompletionOptions {
  return {
    temperature: 0,
    topK: 0,
    topP: 1,
    repetitionPenalty: 1,
    maxNewTokens: 16,
    contextTokens: 512,
    timeoutMs: 60_000,
    newline: 'singleLine',
    context: requestContext(snapshot, 'auto'),
    numReturnSequences: 1,
    seed: 1,
    ...o,
  };
}

const DIALECT_NAMES: Dialect[] = ['llama.cpp', 'openai', 'tgi', 'ollama'];

async function standIn(o: StandInOptions, baseDelayMs = 20): Promise<{ server: StandInServer; source: RemoteSource }> {
  const server = new StandInServer(o);
  const url = await server.start();
  const config: RemoteConfig = { dialect: DIALECTS[o.dialect], endpoint: url, model: o.dialect === 'openai' ? 'Qwen/Qwen2.5-Coder-7B' : 'stand-in', fimTemplate: 'auto', ...(o.key ? { key: o.key } : {}) };
  return { server, source: new RemoteSource(config, silentLogger, { baseDelayMs, maxDelayMs: Math.max(baseDelayMs, 100) }) };
}

/** A promise the test resolves to let the stand-in send its next piece. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('remote source against each engine\'s stand-in', () => {
  const servers: StandInServer[] = [];
  const sources: RemoteSource[] = [];
  async function make(o: StandInOptions, baseDelayMs?: number) {
    const made = await standIn(o, baseDelayMs);
    servers.push(made.server);
    sources.push(made.source);
    return made;
  }
  afterEach(async () => {
    for (const s of sources.splice(0)) s.dispose();
    for (const s of servers.splice(0)) await s.stop();
  });

  for (const dialect of DIALECT_NAMES) {
    describe(dialect, () => {
      it('streams the text (frames split mid-line and mid-character); the newline stop cuts it and closes the connection', async () => {
        const { server, source } = await make({ dialect, tokens: () => ['total', ' = ', 'sum(é)', '\n', 'print(', 'total)', '\n', 'x', 'y', 'z'] });
        const snap = at('def f(values):\n    ');
        const ended = server.nextEnd();
        const result = await source.complete(snap, options(snap), new AbortController().signal);
        assert.equal(result?.completions[0].text, 'total = sum(é)');
        assert.equal(result?.completions[0].stopReason, 'newline');
        const record = await ended;
        assert.equal(record.closedByClient, true, 'the client closed the stream when the stop fired');
        assert.ok(record.sent < 10, `the server stopped early (sent ${record.sent} of 10)`);
      });

      it('the end of the stream ends the text ([DONE], stop, done, generated_text)', async () => {
        const { server, source } = await make({ dialect, tokens: () => ['x', ' + ', '1'] });
        const snap = at('y = ');
        const result = await source.complete(snap, options(snap), new AbortController().signal);
        assert.equal(result?.completions[0].text, 'x + 1');
        assert.equal(result?.completions[0].stopReason, 'eos');
        assert.equal(server.completions().length, 1);
      });

      it('a new keystroke closes the older request\'s connection (latest wins), and an abort closes the newer one', async () => {
        const hold = gate();
        const { server, source } = await make({ dialect, tokens: () => ['a', 'b', 'c', 'd'], beforePiece: (i) => (i === 1 ? hold.opened : undefined) });
        const first = source.complete(at('x = '), options(at('x = ')), new AbortController().signal);
        const firstEnd = server.nextEnd();
        // Wait until the server has sent its first piece: the request is streaming.
        while (server.completions()[0]?.sent !== 1) await new Promise((r) => setImmediate(r));
        const abort = new AbortController();
        const second = source.complete(at('x = 1'), options(at('x = 1')), abort.signal);
        assert.equal(await first, undefined, 'the superseded request has no answer');
        hold.open();
        const record = await firstEnd;
        assert.equal(record.closedByClient, true);
        assert.ok(record.sent < 4);
        const secondEnd = server.nextEnd();
        abort.abort();
        assert.equal(await second, undefined);
        assert.equal((await secondEnd).closedByClient, true);
      });
    });
  }

  it('the deadline answers with what arrived and closes the connection', async () => {
    const hold = gate();
    const { server, source } = await make({ dialect: 'openai', tokens: () => ['a', 'b', 'c'], beforePiece: (i) => (i === 2 ? hold.opened : undefined) });
    const ended = server.nextEnd();
    const snap = at('x = ');
    const result = await source.complete(snap, options(snap, { timeoutMs: 300 }), new AbortController().signal);
    hold.open();
    assert.equal(result?.completions[0].text, 'ab');
    assert.equal(result?.completions[0].stopReason, 'deadline');
    assert.equal((await ended).closedByClient, true);
  });

  it('the deadline holds before the first byte too: nothing shown, the connection closed, the circuit left closed', async () => {
    const hold = gate();
    const { server, source } = await make({ dialect: 'llama.cpp', tokens: async () => (await hold.opened, ['a']) });
    const snap = at('x = ');
    const result = await source.complete(snap, options(snap, { timeoutMs: 200 }), new AbortController().signal);
    assert.equal(result?.completions[0].text, '');
    assert.equal(result?.completions[0].stopReason, 'deadline');
    assert.equal(source.health.allows, true, 'a slow answer is not a server failure');
    const ended = server.nextEnd();
    hold.open();
    assert.equal((await ended).closedByClient, true);
  });

  it('an early answer after maxNewTokens pieces; the rest of the stream grows it through the look-ahead up to growTo', async () => {
    const { server, source } = await make({ dialect: 'tgi', tokens: () => ['a', 'b', 'c', 'd', 'e', 'f'] });
    const grown: [string, number][] = [];
    const ended = server.nextEnd();
    const snap = at('x = ');
    const result = await source.complete(snap, options(snap, { maxNewTokens: 2, growTo: 5 }), new AbortController().signal, (t, g) => grown.push([t, g]));
    assert.equal(result?.completions[0].text, 'ab');
    await ended;
    assert.deepEqual(grown[grown.length - 1], ['abcde', 5]);
    assert.equal(server.completions()[0].body['parameters'] && (server.completions()[0].body['parameters'] as Record<string, unknown>)['max_new_tokens'], 5);
  });

  it('llama.cpp: a model without FIM tokens answers 501 on /infill; the same request goes to /completion with the text before the cursor, and later ones too', async () => {
    const { server, source } = await make({ dialect: 'llama.cpp', fim: false, tokens: () => ['1'] });
    assert.equal(source.fim, true);
    const snap = at('x = ', ')\n');
    const result = await source.complete(snap, options(snap), new AbortController().signal);
    assert.equal(result?.completions[0].text, '1');
    assert.deepEqual(server.completions().map((r) => r.route), ['/infill', '/completion']);
    assert.equal(server.completions()[1].body['prompt'], 'x = ');
    assert.equal(source.fim, false, 'no FIM from now on: the service asks for no fill-in of a line');
    await source.complete(snap, options(snap), new AbortController().signal);
    assert.deepEqual(server.completions().map((r) => r.route), ['/infill', '/completion', '/completion']);
  });

  it('Ollama: a model whose template has no suffix answers 400 "does not support insert"; the text before the cursor goes alone, raw, from then on', async () => {
    const { server, source } = await make({ dialect: 'ollama', fim: false, tokens: () => ['1'] });
    const snap = at('x = ', ')\n');
    const result = await source.complete(snap, options(snap), new AbortController().signal);
    assert.equal(result?.completions[0].text, '1');
    const [refused, again] = server.completions().map((r) => r.body);
    assert.deepEqual([refused['prompt'], refused['suffix'], refused['raw']], ['x = ', ')\n', undefined]);
    assert.deepEqual([again['prompt'], again['suffix'], again['raw']], ['x = ', undefined, true]);
    assert.equal(source.fim, false);
    assert.equal(source.health.allows, true);
  });

  it('Ollama: another 400 is the request\'s own error, not a FIM refusal', async () => {
    const { server, source } = await make({ dialect: 'ollama', tokens: () => [], fail: { status: 400, body: JSON.stringify({ error: 'invalid option provided' }) } }, 60_000);
    const snap = at('x = ', ')\n');
    await assert.rejects(source.complete(snap, options(snap), new AbortController().signal), /invalid option provided/);
    assert.equal(server.completions().length, 1);
    assert.equal(source.fim, true);
  });

  it('llama.cpp with FIM: the server gets prefix, suffix and the snippets as input_extra', async () => {
    const { server, source } = await make({ dialect: 'llama.cpp', tokens: () => ['1'] });
    const snap = createSnapshot({ prefix: 'x = f(', suffix: ')\nprint(x)\n', languageId: 'python', path: 'a.py', version: 1, extraContext: [{ path: 'util.py', text: 'def f(n):\n    return n\n', kind: 'editor' }] });
    await source.complete(snap, options(snap), new AbortController().signal);
    const body = server.completions()[0].body;
    assert.deepEqual([body['input_prefix'], body['input_suffix'], body['input_extra']], ['x = f(', ')\nprint(x)\n', [{ filename: 'util.py', text: 'def f(n):\n    return n\n' }]]);
  });

  it('OpenAI-compatible: the client builds the FIM prompt from the model\'s name (Qwen) and sends its end tokens as stops', async () => {
    const { server, source } = await make({ dialect: 'openai', tokens: () => ['1'] });
    const snap = at('x = f(', ')\n');
    await source.complete(snap, options(snap), new AbortController().signal);
    const body = server.completions()[0].body;
    assert.equal(body['prompt'], '<|fim_prefix|>x = f(<|fim_suffix|>)\n<|fim_middle|>');
    assert.deepEqual((body['stop'] as string[]).slice(0, 2), ['<|endoftext|>', '<|fim_pad|>']);
  });

  const errors: [Dialect, number, string, string, RegExp][] = [
    ['openai', 400, errorBody('openai', 400, "This model's maximum context length is 4096 tokens"), 'remote-failed', /maximum context length is 4096 tokens/],
    ['tgi', 422, errorBody('tgi', 422, 'Input validation error: `max_new_tokens` must be <= 512'), 'remote-failed', /max_new_tokens` must be <= 512/],
    ['ollama', 404, JSON.stringify({ error: "model 'qwen9' not found, try pulling it first" }), 'remote-down', /model 'qwen9' not found/],
    ['llama.cpp', 500, errorBody('llama.cpp', 500, 'failed to decode the batch'), 'remote-down', /failed to decode the batch/],
    ['openai', 401, errorBody('openai', 401, 'Invalid API key'), 'remote-unauthorized', /Invalid API key.*Set Server API Key/],
    ['ollama', 503, JSON.stringify({ error: 'server busy, please try again.  maximum pending requests exceeded' }), 'remote-busy', /maximum pending requests exceeded/],
  ];
  for (const [dialect, status, body, code, message] of errors) {
    it(`${dialect} ${status}: a ${code} error with the engine's own message`, async () => {
      // Probes far apart: the circuit stays as the failure left it while the test looks.
      const { source } = await make({ dialect, tokens: () => [], fail: { status, body } }, 60_000);
      const snap = at('x = ');
      await assert.rejects(source.complete(snap, options(snap), new AbortController().signal), (err: unknown) => {
        assert.ok(err instanceof GhostwriterError);
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
      assert.equal(source.health.allows, code === 'remote-failed', 'a refused request leaves the circuit closed; a server problem opens it');
    });
  }

  for (const dialect of DIALECT_NAMES) {
    it(`${dialect}: an error inside a 200 stream is an error with the engine's message`, async () => {
      const { source } = await make({ dialect, tokens: () => ['a', 'b', 'c'], streamErrorAfter: 0 });
      const snap = at('x = ');
      await assert.rejects(source.complete(snap, options(snap), new AbortController().signal), /remote-failed|unexpectedly stopped|out of memory|slot was released/);
    });
  }

  it('a Bearer key goes with each request where the engine takes one', async () => {
    const { server, source } = await make({ dialect: 'tgi', tokens: () => ['1'], key: 'sekret' });
    const snap = at('x = ');
    assert.equal((await source.complete(snap, options(snap), new AbortController().signal))?.completions[0].text, '1');
    assert.equal(server.completions()[0].authorization, 'Bearer sekret');
  });

  it('429 with Retry-After: busy, the circuit opens; no retry of the completion; the probe closes it when the server answers', async () => {
    const { server, source } = await make({ dialect: 'llama.cpp', tokens: () => ['1'], fail: { status: 429, body: errorBody('llama.cpp', 429, 'no free slot'), headers: { 'retry-after': '1' } } }, 60_000);
    const snap = at('x = ');
    await assert.rejects(source.complete(snap, options(snap), new AbortController().signal), /busy/);
    assert.equal(source.health.state.kind, 'busy');
    assert.equal(server.completions().length, 1, 'the completion was not sent again');
    const back = new Promise<void>((resolve) => source.health.onDidChange((s) => s.kind === 'up' && resolve()));
    server.options = { ...server.options, fail: undefined };
    // The probe the back-off would run after Retry-After, run now.
    void source.health.check();
    await back;
    assert.equal(server.completions().length, 1, 'only the health route was asked');
    assert.ok(server.requests.some((r) => r.route === '/health'));
  });

  it('the model list: each engine\'s listing route', async () => {
    for (const dialect of DIALECT_NAMES) {
      const { source } = await make({ dialect, tokens: () => [], models: ['qwen2.5-coder:7b'] });
      assert.deepEqual(await source.listModels(), ['qwen2.5-coder:7b'], dialect);
    }
  });
});
