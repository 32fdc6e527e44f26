// A seeded typing storm against the KV cache pool (issue 14, section 2): about a thousand
// keystrokes a few milliseconds apart through CompletionService and the real inference process
// with the generated tiny model: insertions, backspaces, undo-like restores of an earlier text,
// typing on into the shown suggestion, and jumps between two documents. Each keystroke is a
// request whose AbortSignal aborts when the next key arrives, as VS Code cancels its token.
//
// What is held, and how it is seen:
// - one generation at a time in the process: a probe preloaded there (sessionRunProbe.ts) counts
//   ONNX Runtime runs in flight (every prefill and decode step is one), and the protocol messages
//   the process sends (first-token, lookahead, completed, aborted) never go back to an older
//   request's id once a newer one has spoken: jobs run one after another, look-ahead included;
// - a stale request ends within one decode step: the same probe sees each abort (or newer request)
//   arrive and the stale request's answer leave, and counts the runs started in between;
// - the process's memory: the array buffers (where the KV states live) grow from before the first
//   request by no more than the KV pool budget the process logs at load (resident size printed);
// - no answer for an outdated version: an answer with items is for the document's latest text;
// - the pool never serves another document's or an older text's tokens: each answer the model
//   gave is decoded again cold (same options, `cache: 'cold'`, temperature 0) and must be the same;
// - typed-ahead answers continue an earlier model answer (or its look-ahead) that the document
//   now holds typed in, the rest of it unchanged.
// The seed and counts are printed; GHOSTWRITER_STORM_SEED=<n> runs another seed.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DEFAULTS, type Settings } from '../../src/core/config';
import { CompletionService, type CompletionAnswer } from '../../src/core/completionService';
import { EngineClient, forkInference } from '../../src/core/engineClient';
import { createLogger } from '../../src/core/logger';
import type { CompletionOptions, CompletionResult, Response } from '../../src/core/protocol';
import { createSnapshot, type DocumentSnapshot } from '../../src/core/snapshot';
import { preparedCacheDir, repoRoot, tinyModel } from './helpers';
import { seededRng, type Rng } from '../../src/inference/rng';

const KEYS = 1000;
const GAP_MS = 5;
const SEED = process.env.GHOSTWRITER_STORM_SEED ? Number(process.env.GHOSTWRITER_STORM_SEED) >>> 0 : 0x5707;

type Random = Rng;
const int = (r: Random, n: number): number => Math.floor(r() * n);

/** What each document starts as, and what gets typed into them. */
const STARTS = [
  'def area(width, height):\n    result = width * height\n    return result\n\n\ndef perimeter(width, height):\n    ',
  'import os\nimport sys\n\n\nclass Walker:\n    def __init__(self, root):\n        self.root = root\n\n    def files(self):\n        ',
];
const TYPED = 'for name in os.listdir(self.root):\n        if name.endswith(".py"):\n            yield name\n    return (width + height) * 2\n';

interface Doc {
  readonly path: string;
  text: string;
  cursor: number;
  version: number;
  /** Earlier (text, cursor) states, for undo-like restores. */
  readonly history: { text: string; cursor: number }[];
}

/** What one call to the inference process was asked and answered. */
interface Call {
  readonly snapshot: DocumentSnapshot;
  readonly options: CompletionOptions;
  result?: CompletionResult;
  /** The look-ahead's continuations from the cursor, as reported. */
  readonly lookAheads: string[];
}

const snapshotOf = (d: Doc): DocumentSnapshot =>
  createSnapshot({ prefix: d.text.slice(0, d.cursor), suffix: d.text.slice(d.cursor), languageId: 'python', path: d.path, version: d.version, prefixOffset: 0 });

describe(`typing storm against the cache (seed ${SEED})`, function () {
  this.timeout(120_000);

  it(`${KEYS} keystrokes ${GAP_MS} ms apart over two documents: one generation at a time, no stale answer, every served answer equals a cold run`, async () => {
    const lines: string[] = [];
    const log = createLogger((level, message) => lines.push(`${level} ${message}`));
    // Every protocol message the process sends, in order, to see jobs never interleave.
    const messages: Response[] = [];
    const spawnProbed = forkInference(join(repoRoot(), 'dist', 'inference.js'), { execArgv: ['--expose-gc', '--require', join(repoRoot(), 'out', 'test', 'unit', 'sessionRunProbe.js')] });
    const spawn = () => {
      const child = spawnProbed();
      child.on('message', (m) => messages.push(m as Response));
      return child;
    };
    const client = new EngineClient(spawn, log);
    // The service's calls to the process, with their options, results and look-ahead reports.
    const calls = new Map<DocumentSnapshot, Call>();
    /** Results the process sent after the request's signal had aborted (the reply crossed the abort). */
    let crossed = 0;
    /** Keys that arrive just as their request's reply does: called then, before the service sees the reply. */
    const onReply = new Map<DocumentSnapshot, () => void>();
    const complete = client.complete.bind(client);
    client.complete = async (snapshot, options, signal, onLookAhead) => {
      const call: Call = { snapshot, options, lookAheads: [] };
      if (!options.prefillOnly && options.cache !== 'cold') calls.set(snapshot, call);
      const result = await complete(snapshot, options, signal, (text, grown) => {
        call.lookAheads.push(text);
        onLookAhead?.(text, grown);
      });
      call.result = result;
      const reply = onReply.get(snapshot);
      if (result && reply) {
        // The next key's handler runs (and aborts this request) before the service takes the reply.
        reply();
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (result && signal.aborted) crossed++;
      return result;
    };
    const service = new CompletionService(client, log, preparedCacheDir());
    // fp32: int8's dynamic quantization scales activations per call, so a cached run and a cold one may round apart.
    // No debounce: every keystroke reaches the process, the hardest case for its queue and pool.
    const settings: Settings = { ...DEFAULTS, modelPath: await tinyModel(), modelFile: 'fp32', executionProvider: 'cpu', temperature: 0, debounceMs: 0, timeoutMs: 60_000, maxNewTokens: 12 };
    const count = { requests: 0, answered: 0, cancelled: 0, empty: 0, typedAhead: 0, model: 0, coldChecked: 0, undos: 0, jumps: 0, backspaces: 0, inserts: 0, typedIn: 0 };
    const r = seededRng(SEED);
    try {
      assert.equal((await service.ensureLoaded(settings)).kind, 'ready');
      const docs: Doc[] = STARTS.map((text, i) => ({ path: `/w/storm${i}.py`, text, cursor: text.length, version: 1, history: [] }));
      let active = 0;
      let typedPos = 0;
      /** The last answer with items: the storm sometimes types on into it. */
      let shown: { doc: Doc; version: number; text: string; at: number } | undefined;
      const served: { snapshot: DocumentSnapshot; answer: CompletionAnswer }[] = [];
      const failures: string[] = [];
      let previous: AbortController | undefined;
      const pending: Promise<void>[] = [];

      const edit = (d: Doc, text: string, cursor: number) => {
        d.history.push({ text: d.text, cursor: d.cursor });
        if (d.history.length > 40) d.history.shift();
        d.text = text;
        d.cursor = cursor;
        d.version++;
      };

      for (let key = 0; key < KEYS; key++) {
        // The next key arrives: the editor cancels the request before it.
        previous?.abort();
        let d = docs[active];
        const roll = r();
        if (shown && shown.doc === d && shown.version === d.version && shown.at < shown.text.length && roll < 0.5) {
          // Typing on into the suggestion shown: what typed-ahead answers.
          const ch = shown.text[shown.at++];
          edit(d, d.text.slice(0, d.cursor) + ch + d.text.slice(d.cursor), d.cursor + 1);
          shown.version = d.version;
          count.typedIn++;
        } else if (roll < 0.04) {
          active = 1 - active;
          d = docs[active];
          count.jumps++;
        } else if (roll < 0.1 && d.history.length > 0) {
          // Undo back to an earlier text of this document (a new version, as the editor counts them).
          const back = d.history.splice(d.history.length - 1 - int(r, Math.min(d.history.length, 12)))[0];
          d.text = back.text;
          d.cursor = back.cursor;
          d.version++;
          count.undos++;
        } else if (roll < 0.25 && d.cursor > 0) {
          edit(d, d.text.slice(0, d.cursor - 1) + d.text.slice(d.cursor), d.cursor - 1);
          count.backspaces++;
        } else {
          const ch = r() < 0.9 ? TYPED[typedPos++ % TYPED.length] : 'xyz_(:. 1'[int(r, 9)];
          edit(d, d.text.slice(0, d.cursor) + ch + d.text.slice(d.cursor), d.cursor + 1);
          count.inserts++;
        }
        if (shown && (shown.doc !== d || shown.version !== d.version)) shown = undefined;
        const snapshot = snapshotOf(d);
        const controller = new AbortController();
        previous = controller;
        count.requests++;
        const answering = service.complete(snapshot, settings, controller.signal, 'automatic').then((answer) => {
          if (answer.cancelled) return void count.cancelled++;
          if (answer.texts.length === 0) return void count.empty++;
          count.answered++;
          if (answer.source === 'typed-ahead') count.typedAhead++;
          else count.model++;
          // The editor shows it only when it is for the latest text of the document.
          const doc = docs.find((x) => x.path === snapshot.path)!;
          if (doc.version !== snapshot.version) failures.push(`key ${key}: an answer for ${snapshot.path} version ${snapshot.version}, the document is at ${doc.version}`);
          // Nor for a request the editor cancelled (a jump leaves the version as it was): no macrotask runs between the service's answer and this callback, so the abort came first.
          if (controller.signal.aborted) failures.push(`key ${key}: an answer with items for a cancelled request (${answer.source})`);
          served.push({ snapshot, answer });
          if (doc.version === snapshot.version) shown = { doc, version: doc.version, text: answer.texts[0], at: 0 };
        });
        pending.push(answering);
        // Mostly the next key in a few milliseconds; now and then a pause until the answer is in, or
        // the next key just as the process's reply comes in (the race a fast model makes common).
        const wait = r();
        if (wait < 0.1) await answering;
        else if (wait < 0.2) await Promise.race([answering, new Promise<void>((resolve) => onReply.set(snapshot, resolve))]);
        else await new Promise((resolve) => setTimeout(resolve, GAP_MS));
        onReply.delete(snapshot);
      }
      await Promise.all(pending);
      assert.deepEqual(failures, [], 'no answer for an outdated version');

      // One generation at a time: the probe saw the runs, never two at once.
      assert.deepEqual(lines.filter((l) => l.includes('[run-probe]') && l.startsWith('error')), [], 'two session runs at once');
      const probe = lines.filter((l) => l.includes('[run-probe] runs')).pop();
      assert.ok(probe, 'the probe in the inference process reported');
      const [, runs, most, stale, afterStale] = /runs (\d+), at most (\d+) at once; (\d+) stale requests ended, at most (\d+) runs started after going stale/.exec(probe)!;
      assert.equal(Number(most), 1);
      // A stale request ends within one decode step: the run in flight when its abort (or a newer request) arrives finishes, and no other starts for it.
      assert.ok(Number(stale) > 0, 'the probe saw stale requests end');
      assert.ok(Number(afterStale) <= 1, `a stale request started ${afterStale} more runs`);
      // The KV states live in array buffers; what requests added to them stays within the pool budget the process logged at load.
      const [, rssMb, buffersMb, baseRssMb, baseBuffersMb] = /at most (\d+) MiB resident, (\d+) MiB in array buffers, from (\d+) and (\d+) before/.exec(probe)!.map(Number);
      const budget = /KV pool budget (\d+) MB/.exec(lines.find((l) => l.includes('KV pool budget')) ?? '');
      assert.ok(budget, 'the process logged its KV pool budget');
      assert.ok(baseBuffersMb >= 0 && buffersMb - baseBuffersMb <= Number(budget[1]), `array buffers grew from ${baseBuffersMb} to ${buffersMb} MiB, the pool's budget ${budget[1]} MB`);
      // Protocol messages: once a newer request's job speaks, no older one does again (no interleaving, look-ahead included).
      let newest = 0;
      for (const m of messages) {
        if (m.type === 'log') continue;
        assert.ok(m.id >= newest, `a message of request ${m.id} (${m.type}) after one of request ${newest}`);
        newest = m.id;
      }
      // Every model answer again, cold: the cache it came from held this document's text, no other.
      let typedChecked = 0;
      for (const { snapshot, answer } of served) {
        if (answer.source === 'typed-ahead') {
          // An earlier model answer in this document, typed on: the rest of the document as it was then.
          const ok = [...calls.values()].some((c) => {
            if (c.snapshot.path !== snapshot.path || !c.result || c.snapshot.suffix !== snapshot.suffix || !snapshot.prefix.startsWith(c.snapshot.prefix)) return false;
            const typed = snapshot.prefix.slice(c.snapshot.prefix.length);
            // Post-processing may drop the rest's leading blank (after a typed space) and trailing ones.
            return [c.result.completions[0]?.text ?? '', ...c.lookAheads].some((x) => x.startsWith(typed) && x.slice(typed.length).trimStart().startsWith(answer.texts[0].trim()));
          });
          assert.ok(ok, `typed-ahead ${JSON.stringify(answer.texts[0])} at ${JSON.stringify(snapshot.prefix.slice(-60))} continues no earlier answer there`);
          typedChecked++;
          continue;
        }
        const call = calls.get(snapshot);
        assert.ok(call?.result, 'a served model answer has its call');
        const first = call.result.completions[0];
        if (first.stopReason === 'deadline') continue;
        // Without the early answer's time cut (it depends on the clock): an answer cut early is the start of the cold one, token for token.
        const { answerAfterMs: _early, ...untimed } = call.options;
        const cold = await complete(snapshot, { ...untimed, cache: 'cold', lookAheadTokens: 0 }, new AbortController().signal);
        assert.ok(cold, 'the cold run answers');
        const where = `${snapshot.path} v${snapshot.version} at ${JSON.stringify(snapshot.prefix.slice(-60))}: cached ${call.result.timings.cachedTokens ?? 0} of ${call.result.promptTokenIds.length} prompt tokens`;
        if (first.stopReason === 'early') {
          assert.deepEqual(cold.completions[0].tokenIds.slice(0, first.tokenIds.length), first.tokenIds, where);
          assert.ok(cold.completions[0].text.startsWith(first.text), where);
        } else {
          assert.equal(cold.completions[0].text, first.text, where);
        }
        assert.deepEqual(cold.promptTokenIds, call.result.promptTokenIds, 'the same prompt');
        count.coldChecked++;
      }
      assert.equal(typedChecked, count.typedAhead);

      const stats = { ...count, crossedAborts: crossed, processMessages: messages.filter((m) => m.type !== 'log').length, sessionRuns: Number(runs), staleEnded: Number(stale), mostRunsAfterStale: Number(afterStale), processRssMiB: `${baseRssMb}..${rssMb}`, processBuffersMiB: `${baseBuffersMb}..${buffersMb}`, poolBudgetMB: Number(budget[1]) };
      process.stdout.write(`      typing storm, seed ${SEED}: ${JSON.stringify(stats)}\n`);
      assert.equal(count.requests, count.answered + count.cancelled + count.empty);
      // The storm did what it says: the cache served answers, typing into suggestions was served ahead.
      assert.ok(count.model >= 10 && count.coldChecked >= 10, `model answers checked cold: ${count.coldChecked}`);
      // (How many keys a request outlives depends on the machine's speed; the crossed replies do not.)
      assert.ok(count.typedAhead > 0 && crossed > 0 && count.cancelled >= crossed && count.undos > 0 && count.jumps > 0, JSON.stringify(count));
    } finally {
      service.dispose();
      client.dispose();
    }
  });
});
