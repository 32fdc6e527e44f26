// The stops while decoding, on a generated model (random weights: the text is gibberish, the
// stops are real): the tiny model with a tokenizer whose text has lines (lineModel.ts).
import { strict as assert } from 'node:assert';
import { decide } from '../../src/core/completion/completionPolicy';
import { isSignificant } from '../../src/core/completion/lines';
import type { CompletionOptions, NewlinePolicy } from '../../src/core/protocol';
import { requestContext } from '../../src/core/completion/requestContext';
import { createSnapshot, type DocumentSnapshot } from '../../src/core/snapshot';
import { suggestAll } from '../../src/core/completion/suggestion';
import type { InferenceEngine } from '../../src/inference/engine';
import { loadEngine } from './helpers';
import { lineModel } from './lineModel';

const options = (o: Partial<CompletionOptions> = {}): CompletionOptions => ({
  temperature: 0,
  topK: 0,
  topP: 1,
  repetitionPenalty: 1,
  maxNewTokens: 40,
  contextTokens: 1000,
  timeoutMs: 60_000,
  newline: 'none',
  numReturnSequences: 1,
  seed: 1,
  ...o,
});

const PROMPTS = ['def fibonacci(n):\n', 'function factorial(n) {\n  return', 'import os\nimport sys\n', 'x = 1\n', 'class A:\n    def f(self):\n        ', '{\n  "a": 1,\n', 'for i in range(10):\n    print(i)\n', 'Hello', 'def f'];

const snap = (prefix: string, suffix = '', languageId = 'python') => createSnapshot({ prefix, suffix, languageId, path: `doc.${languageId}`, version: 1 });

describe('stops while decoding, on a generated model', function () {
  let engine: InferenceEngine;
  let cleanup: () => void;
  before(async () => {
    const copy = await lineModel();
    cleanup = copy.cleanup;
    engine = await loadEngine(copy.dir);
  });
  after(async () => {
    await engine?.release();
    cleanup?.();
  });

  /** What the extension does: the request context and the line policy in the options, the suggestion from the same pipeline. */
  async function suggestionsAt(snapshot: DocumentSnapshot, mode: 'singleLine' | 'multiLine', o: Partial<CompletionOptions> = {}) {
    const policy = decide(snapshot, mode) as NewlinePolicy;
    const result = await engine.complete(snapshot, options({ newline: policy, context: requestContext(snapshot), ...o }));
    return { result, shown: suggestAll(result.completions.map((c) => c.text), snapshot, mode) };
  }

  it('the model writes several lines when nothing stops it (the tests below are not vacuous)', async () => {
    let multi = 0;
    for (const p of PROMPTS) {
      const r = await engine.complete(snap(p), options());
      multi += r.completions.filter((c) => /\S[^]*\n[^]*\S/.test(c.text)).length;
    }
    assert.ok(multi >= 3, `${multi} of ${PROMPTS.length} raw completions have two lines with text`);
  });

  it('single-line mode never shows a second line: at a line end at most one leading line break, mid-line none', async () => {
    let atBreak = 0;
    for (const p of PROMPTS) {
      for (const temperature of [0, 1]) {
        for (const [snapshot, midLine] of [[snap(p), false], [snap(`${p}print(`, ')'), true]] as const) {
          const { result, shown } = await suggestionsAt(snapshot, 'singleLine', { temperature, numReturnSequences: 3 });
          for (const c of result.completions) {
            if (c.stopReason === 'newline') atBreak++;
            const rest = midLine ? c.text : c.text.replace(/^[ \t]*\r?\n/, '');
            assert.ok(!/\n/.test(rest), `decoding went past the line: ${JSON.stringify(c.text)} (${c.stopReason})`);
          }
          for (const s of shown) assert.ok(!/\n/.test(midLine ? s.text : s.text.replace(/^\n/, '')), `shown: ${JSON.stringify(s.text)}`);
        }
      }
    }
    assert.ok(atBreak >= 10, `only ${atBreak} completions reached a line break`);
  });

  it("a suggestion never repeats the suffix's first line: decoding stops before it", async () => {
    let stopped = 0;
    for (const p of PROMPTS) {
      // The cursor on a line of its own, so the model's first line is a whole line.
      const prefix = p.endsWith('\n') ? p : `${p}\n`;
      // Learn what the model writes there with nothing below the cursor.
      const free = await engine.complete(snap(prefix), options());
      const lines = free.completions[0].text.split('\n');
      // Its first lines with text, each in turn the line below the cursor.
      const candidates = lines.map((_, k) => k).filter((k) => k < lines.length - 1 && isSignificant(lines[k]) && !lines.slice(0, k).some((l) => l.trim() === lines[k].trim()));
      for (const k of candidates.slice(0, 3)) {
        const snapshot = snap(prefix, `\n${lines[k]}\nmore()\n`);
        const { result, shown } = await suggestionsAt(snapshot, 'multiLine', { newline: 'none' });
        assert.deepEqual(result.promptTokenIds, free.promptTokenIds, 'the prompt does not see the suffix (no FIM): the model writes the same text');
        const c = result.completions[0];
        const repeats = (t: string) => t.split('\n').some((l) => l.trim() === lines[k].trim());
        assert.ok(!repeats(c.text), `decoded the repetition: ${JSON.stringify(c.text)} (${c.stopReason})`);
        for (const s of shown) assert.ok(!repeats(s.text), `shown: ${JSON.stringify(s.text)}`);
        if (c.stopReason === 'suffix-overlap') {
          // Cut exactly where the repetition starts, well before the token budget.
          assert.equal(c.text, lines.slice(0, k).join('\n'));
          assert.ok(c.tokenIds.length < free.completions[0].tokenIds.length);
          if (k === 0) assert.deepEqual(shown, [], 'nothing but the repetition: no suggestion');
          stopped++;
        } else {
          // Another stop came first (the block's indentation, say): before the repetition too.
          assert.ok(lines.slice(0, k).join('\n').startsWith(c.text), `stopped by ${c.stopReason}: ${JSON.stringify(c.text)}`);
        }
      }
    }
    assert.ok(stopped >= 4, `only ${stopped} places stopped at the repetition while decoding`);
  });

  it('the look-ahead decodes on past a stop (it is not stopped by the context)', async () => {
    const prefix = 'x = 1\n';
    const free = (await engine.complete(snap(prefix), options({ maxNewTokens: 30 }))).completions[0].text;
    const first = free.split('\n')[0];
    const snapshot = snap(prefix, `\n${free.split('\n')[1] ?? 'zzz'}\n`);
    await engine.complete(snapshot, options({ newline: 'multiLine', context: requestContext(snapshot), maxNewTokens: 30, lookAheadTokens: 8 }));
    let seen = '';
    await engine.lookAhead(new AbortController().signal, (t) => (seen = t));
    assert.ok(seen.startsWith(first) && seen.length > first.length + 1, `look-ahead: ${JSON.stringify(seen)}`);
  });
});
