// The service's pacing with a client the test holds: a request starts at once when nothing else
// is under way (the next keystroke aborts it), and waits for a pause in typing when an earlier
// request still waits or runs, prefilling its prompt meanwhile; the prefill chunk follows. And a shown suggestion is never
// replaced by a model run while typing still matches it.
import { strict as assert } from 'node:assert';
import { CompletionService } from '../../src/core/completionService';
import { TypingRhythm } from '../../src/core/typingRhythm';
import { DEFAULTS, type Settings } from '../../src/core/config';
import type { EngineClient } from '../../src/core/engineClient';
import { silentLogger } from '../../src/core/logger';
import type { CompletionOptions, CompletionResult } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';

interface Asked {
  readonly options: CompletionOptions;
  /** Answers the request with this text. */
  answer(text: string): void;
  /** Reports the look-ahead's text (from the cursor) after the answer, as the engine does. */
  lookAhead(text: string): void;
}

/** An engine client whose requests wait until the test answers them (or their signal aborts). */
function heldClient() {
  const asked: Asked[] = [];
  /** Prefill-only runs (a warm-up, a wait for a pause): each ends when its signal aborts. */
  const prefills: { readonly options: CompletionOptions; readonly signal: AbortSignal }[] = [];
  const listeners: (() => void)[] = [];
  const client = {
    async load() {
      return { name: 'fake', dir: '/fake', onnxPath: '/fake/model.onnx', provider: 'cpu', nLayer: 1, nHead: 1, nEmbd: 8, nPositions: 256, vocabSize: 10, loadMs: 0, msPerToken: 10, prefillMsPerToken: 1 };
    },
    stop() {},
    setIdleUnload() {},
    complete(_s: unknown, options: CompletionOptions, signal: AbortSignal, onLookAhead?: (text: string, grown: number) => void): Promise<CompletionResult | undefined> {
      return new Promise((resolve) => {
        signal.addEventListener('abort', () => resolve(undefined), { once: true });
        if (options.prefillOnly) return void prefills.push({ options, signal });
        asked.push({
          options,
          answer: (text) => resolve({ completions: [{ text, tokenIds: [1], stopReason: 'eos' }], promptTokenIds: [1], timings: { tokenizeMs: 0, prefillMs: 0, decodeMs: 0, totalMs: 0, newTokens: 1 } }),
          lookAhead: (text) => onLookAhead?.(text, 0),
        });
        listeners.splice(0).forEach((l) => l());
      });
    },
  };
  /** Resolves when the client has been asked `n` times in all. */
  const askedTimes = (n: number) =>
    new Promise<Asked>((resolve) => {
      const check = () => (asked.length >= n ? resolve(asked[n - 1]) : listeners.push(check));
      check();
    });
  return { client: client as unknown as EngineClient, asked, prefills, askedTimes };
}

async function serviceWith(debounceMs: number, rhythm?: TypingRhythm) {
  const held = heldClient();
  const service = new CompletionService(held.client, silentLogger, undefined, undefined, rhythm);
  service.setModelSource(async (s) => ({ dir: s.modelPath, name: 'fake' }));
  const settings: Settings = { ...DEFAULTS, modelPath: '/fake', debounceMs, temperature: 0, lineMode: 'singleLine' };
  assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
  /** Asks at the end of DOC and answers the model run with `text`: the run, and what the service showed. */
  const show = async (text: string, given = settings) => {
    const answer = service.complete(at(DOC), given, new AbortController().signal);
    const run = await held.askedTimes(1);
    run.answer(text);
    return { run, shown: await answer };
  };
  return { service, settings, show, ...held };
}

const DOC = 'function area(width, height) {\n  return width * height;\n}\n\nconst size = ';
const at = (prefix: string, version = prefix.length) => createSnapshot({ prefix, suffix: '', languageId: 'javascript', path: '/w/a.js', version, prefixOffset: 0 });
/** Lets pending promise callbacks and immediate timers run (not a wait for time to pass). */
const settle = () => new Promise((r) => setImmediate(r));

describe('pacing: start at once when idle, debounce when busy', function () {
  this.timeout(10_000);

  it('an idle engine: an automatic request reaches the model at once, in small prefill chunks, even with a long debounce', async () => {
    const { service, settings, askedTimes } = await serviceWith(60_000);
    const answer = service.complete(at(DOC), settings, new AbortController().signal);
    const first = await askedTimes(1);
    assert.equal(first.options.prefillChunk, 64, 'a keystroke may supersede it: small chunks');
    assert.equal(first.options.prefillRunMs, 60_000, 'growing while a run stays within the debounce a superseding request waits anyway');
    first.answer('area(2, 3);');
    assert.deepEqual((await answer).texts, ['area(2, 3);']);
    service.dispose();
  });

  it('busy: the next keystroke waits for a pause (never reaching the model while typing goes on), then runs in large chunks', async () => {
    const { service, settings, asked, prefills, askedTimes } = await serviceWith(30);
    const first = service.complete(at(DOC + 'a'), settings, new AbortController().signal);
    await askedTimes(1);
    // A second keystroke while the first runs: it aborts the first and waits for the debounce.
    const typing = new AbortController();
    // (A debounce far longer than the test, so that no slow machine lets it end before the check.)
    const second = service.complete(at(DOC + 'ar'), { ...settings, debounceMs: 60_000 }, typing.signal);
    assert.equal((await first).cancelled, true);
    await settle();
    assert.equal(asked.length, 1, 'the second keystroke waits: no completion runs');
    // Meanwhile its prompt runs into the cache, in the typing runs (small first, growing within the debounce).
    assert.equal(prefills.length, 1, 'one prefill-only run while it waits');
    assert.equal(prefills[0].options.prefillChunk, 64);
    assert.equal(prefills[0].options.prefillRunMs, 60_000);
    assert.equal(prefills[0].signal.aborted, false);
    // A third keystroke supersedes the second before its debounce ends: the second never runs, its prefill stops.
    const third = service.complete(at(DOC + 'are'), settings, new AbortController().signal);
    assert.equal((await second).cancelled, true);
    assert.equal(prefills[0].signal.aborted, true, 'the superseded wait stops its prefill');
    const run = await askedTimes(2);
    assert.equal(asked.length, 2, 'only the last keystroke of the burst ran');
    assert.equal(prefills.length, 2, 'the third waited too, prefilling');
    assert.equal(prefills[1].signal.aborted, true, 'its prefill stopped when the pause came and the completion started');
    assert.equal(run.options.prefillChunk, 512, 'after the pause: large chunks');
    assert.equal(run.options.prefillRunMs, undefined, 'no growth past the large chunk');
    run.answer('a(2, 3);');
    assert.deepEqual((await third).texts, ['a(2, 3);']);
    // Answered: idle again, so the next keystroke (not typing the suggestion) starts at once.
    const fourth = service.complete(at(DOC + 'arex'), settings, new AbortController().signal);
    const fourthRun = await askedTimes(3);
    assert.equal(fourthRun.options.prefillChunk, 64);
    assert.equal(fourthRun.options.prefillRunMs, 60, 'a debounce under 60 ms still lets the chunks grow to 60 ms runs');
    asked[2].answer('2, 3);');
    await fourth;
    service.dispose();
  });

  it('busy: a fast typist waits for their own pause, not the whole setting', async () => {
    // A typist whose recent keys came 20 ms apart (times in the past: the keys below add none).
    const rhythm = new TypingRhythm();
    for (let i = 0; i <= 24; i++) rhythm.note(i * 20);
    const { service, settings, asked, prefills, askedTimes } = await serviceWith(1000, rhythm);
    const first = service.complete(at(DOC + 'a'), settings, new AbortController().signal);
    await askedTimes(1);
    // A burst of keys while the first runs: each waits, and each supersedes the last.
    let last: Promise<unknown> = first;
    let text = DOC + 'a';
    for (let i = 0; i < 12; i++) {
      await settle();
      text += 'b';
      last = service.complete(at(text), settings, new AbortController().signal);
    }
    const lastKey = Date.now();
    const run = await askedTimes(2);
    const waited = Date.now() - lastKey;
    assert.equal(asked.length, 2, 'only the last key of the burst ran');
    // Gaps of ~20 ms: the wait is the floor (60 ms), far under the 1000 ms setting; the last key's
    // prefill runs may grow within that same wait.
    assert.ok(waited < 1000, `waited ${waited} ms after the last key`);
    const runMs = prefills.at(-1)?.options.prefillRunMs ?? Infinity;
    assert.ok(runMs >= 60 && runMs < 400, `the last key's prefill runs grow within ${runMs} ms`);
    run.answer('x');
    await last;
    service.dispose();
  });

  it('a warm-up supersedes a warm-up still running (a file opened, then a paste into it), never a completion', async () => {
    const { service, settings, prefills, askedTimes } = await serviceWith(30);
    service.warm(at(DOC + 'x'), settings);
    await settle();
    assert.equal(prefills.length, 1);
    service.warm(at(DOC + 'xy'), settings);
    await settle();
    assert.equal(prefills[0].signal.aborted, true, 'the older warm-up stops');
    assert.equal(prefills.length, 2, 'the newer one runs');
    const request = service.complete(at(DOC + 'xyz'), settings, new AbortController().signal);
    const run = await askedTimes(1);
    assert.equal(prefills[1].signal.aborted, true, 'a completion aborts the warm-up');
    service.warm(at(DOC + 'q'), settings);
    await settle();
    assert.equal(prefills.length, 2, 'no warm-up while a completion runs');
    run.answer('1;');
    await request;
    service.dispose();
  });

  it('after a paste the warm-up supersedes a request still under way: it asked about the text before the paste', async () => {
    const { service, settings, prefills, askedTimes } = await serviceWith(30);
    const before = service.complete(at(DOC), settings, new AbortController().signal);
    await askedTimes(1);
    service.warm(at(DOC + 'pasted(1);\n'.repeat(30)), settings, true);
    assert.equal((await before).cancelled, true, 'the older request gives way');
    await settle();
    assert.equal(prefills.length, 1, 'the paste is warmed');
    assert.equal(prefills[0].signal.aborted, false);
    service.dispose();
  });

  it('accepting a suggestion of several lines is no paste: no warm-up, then or when the cursor rests, cuts the look-ahead short', async () => {
    const { service, settings, show, prefills } = await serviceWith(30);
    const text = 'a(2, 3);\nb(4);\nc(5);\nd(6);\n';
    await show(text);
    service.warm(at(DOC + text), settings, true);
    await settle();
    assert.equal(prefills.length, 0, 'the accepted text is the suggestion');
    service.warm(at(DOC + text), settings);
    await settle();
    assert.equal(prefills.length, 0, 'nor when the cursor rests there after');
    service.warm(at(DOC + 'other(1);\n'.repeat(4)), settings, true);
    await settle();
    assert.equal(prefills.length, 1, 'a real paste is warmed');
    service.dispose();
  });

  it('a growth refresh is not used up by a keystroke: the editor re-asking explicitly is still served from the prediction', async () => {
    const { service, settings, asked, askedTimes, show } = await serviceWith(0);
    assert.deepEqual((await show('area(2, 3);')).shown.texts, ['area(2, 3);']);
    service.refresh();
    // A keystroke typing the suggestion comes first (served from the prediction) ...
    const typed = await service.complete(at(DOC + 'a'), settings, new AbortController().signal);
    assert.deepEqual(typed, { texts: ['rea(2, 3);'], replaceSuffixChars: [0], cancelled: false, source: 'typed-ahead' });
    // ... then the editor's explicit re-ask for the growth: the same suggestion, no model run.
    const again = await service.complete(at(DOC + 'a'), settings, new AbortController().signal, 'explicit');
    assert.equal(again.source, 'typed-ahead');
    assert.deepEqual(again.texts, ['rea(2, 3);']);
    assert.equal(asked.length, 1, 'no model run replaced it');
    // A key typed meanwhile that leaves the prediction: the re-ask is that keystroke's request (an early answer), not a full explicit run.
    const moved = service.complete(at(DOC + 'ax'), settings, new AbortController().signal, 'explicit');
    const run = await askedTimes(2);
    assert.equal(run.options.answerAfterMs !== undefined, true, 'answered early, as an automatic trigger');
    assert.equal(run.options.numReturnSequences, 1);
    run.answer('y');
    await moved;
    service.dispose();
  });

  it('typing a suggestion whose rest the filters leave empty shows nothing, with no model run', async () => {
    const { service, settings, asked, show } = await serviceWith(0);
    // `const size = ├x;   ┤`: typed up to `x`, the rest is `;` and spaces.
    const { shown } = await show('x   ');
    assert.deepEqual(shown.texts, ['x']);
    const typed = await service.complete(at(DOC + 'x'), settings, new AbortController().signal);
    assert.equal(typed.source, 'typed-ahead');
    assert.deepEqual(typed.texts, []);
    assert.equal(asked.length, 1, 'no model run');
    service.dispose();
  });

  for (const lineMode of ['auto', 'singleLine'] as const) {
    it(`accepting a suggestion shows at once the next line the look-ahead decoded beyond it (${lineMode})`, async () => {
      const { service, settings, asked, show } = await serviceWith(0);
      const mode = { ...settings, lineMode };
      // `const size = ├area(2, 3);┤` shown; the look-ahead went on into the next line.
      const { run, shown } = await show('area(2, 3);', mode);
      assert.deepEqual(shown.texts, ['area(2, 3);']);
      run.lookAhead('area(2, 3);\nconsole.log(size);\n');
      // Tab: the whole suggestion is in the document, the cursor after it.
      const accepted = await service.complete(at(DOC + 'area(2, 3);'), mode, new AbortController().signal);
      assert.equal(accepted.source, 'typed-ahead');
      assert.deepEqual(accepted.texts, ['\nconsole.log(size);']);
      assert.equal(asked.length, 1, 'no model run');
      service.dispose();
    });
  }
});
