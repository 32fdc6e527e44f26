import { strict as assert } from 'node:assert';
import { buildPrompt, composePrompt, detectFim, EXTRA_CONTEXT_SHARE, MAX_SUFFIX_TOKENS, PromptBuilder, type FimSpelling } from './promptBuilder';
import { createSnapshot, type ContextSnippet } from './snapshot';
import type { TextTokenizer } from './tokenizer';

/** One token per character: budgets read as character counts. Special tokens: ids 1-4 (no character encodes to them). */
const SPECIAL: Record<string, number> = { '<fim_prefix>': 1, '<fim_suffix>': 2, '<fim_middle>': 3, '<fim_pad>': 4 };
const fimChars: TextTokenizer = {
  encode: (t) => [...t].map((c) => c.charCodeAt(0)),
  decode: (ids) => String.fromCharCode(...ids),
  eosTokenId: 0,
  size: 65536,
  specialTokenId: (name) => SPECIAL[name],
};
const chars: TextTokenizer = { ...fimChars, specialTokenId: () => undefined };
const STARCODER: FimSpelling = { family: 'StarCoder', prefix: '<fim_prefix>', middle: '<fim_middle>', suffix: '<fim_suffix>', pad: '<fim_pad>' };
const SANTACODER: FimSpelling = { family: 'SantaCoder', prefix: '<fim-prefix>', middle: '<fim-middle>', suffix: '<fim-suffix>', pad: '<fim-pad>' };
const FIM = detectFim(fimChars, [SANTACODER, STARCODER])!;
const text = (ids: readonly number[]) => String.fromCharCode(...ids);

const doc = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(2, '0')}`).join('\n') + '\n';
const at = (cursor: number, extraContext?: ContextSnippet[], d = doc) =>
  createSnapshot({ prefix: d.slice(0, cursor), suffix: d.slice(cursor), languageId: 'python', path: '/d', version: 1, prefixOffset: 0, ...(extraContext ? { extraContext } : {}) });

describe('prompt window anchored for the KV cache', () => {
  it('starts at a line start and stays there while typing fits the budget', () => {
    const first = buildPrompt(at(200), chars, 64);
    assert.ok(first.ids.length <= 64);
    assert.equal(doc[first.start - 1], '\n');
    for (let cursor = 201; cursor < first.start + 64; cursor++) {
      const next = buildPrompt(at(cursor), chars, 64, 0, first.start);
      assert.equal(next.start, first.start, `cursor ${cursor}: the window did not slide`);
    }
  });

  it('when the text from the anchor no longer fits, jumps forward to fill three quarters of the budget', () => {
    const first = buildPrompt(at(200), chars, 64);
    const over = buildPrompt(at(first.start + 70), chars, 64, 0, first.start);
    assert.ok(over.start > first.start);
    assert.ok(over.ids.length <= 48, `${over.ids.length} tokens: room to type before the next jump`);
    assert.equal(doc[over.start - 1], '\n');
  });

  it('a first window that has to cut the text leaves a quarter of the budget to type into; one that fits whole is whole', () => {
    const first = buildPrompt(at(200), chars, 64);
    assert.ok(first.truncated);
    assert.ok(first.ids.length <= 48, `${first.ids.length} tokens`);
    assert.ok(first.ids.length > 40, `${first.ids.length} tokens: as close to three quarters as line starts allow`);
    // Typing 15 more characters stays in the same window: the cache keeps serving it.
    assert.equal(buildPrompt(at(215), chars, 64, 0, first.start).start, first.start);
    const whole = buildPrompt(at(50), chars, 64);
    assert.equal(whole.truncated, false);
    assert.equal(whole.ids.length, 50, 'the whole prefix, 50 one-character tokens, past three quarters of the budget');
  });

  it('an anchor that is no longer a line start (an edit above) is dropped', () => {
    const p = buildPrompt(at(200), chars, 64, 0, 150 + 3);
    assert.equal(doc[p.start - 1], '\n');
  });

  it('prefix-only: the suffix is not in the prompt; an empty document is the start token', () => {
    const p = buildPrompt(at(200), chars, 64);
    assert.equal(p.mode, 'prefix');
    assert.equal(p.suffixTokens, 0);
    assert.ok(doc.slice(0, 200).endsWith(text(p.ids)));
    assert.deepEqual(buildPrompt(at(0, undefined, ''), chars, 64, 0).ids, [0]);
  });
});

describe('fill-in-the-middle prompts', () => {
  it('detects FIM from the tokenizer\'s special tokens: the first family whose three markers it has', () => {
    assert.deepEqual(FIM, { family: 'StarCoder', prefix: 1, suffix: 2, middle: 3, stop: [4, 1, 2, 3] });
    assert.equal(detectFim(chars, [STARCODER, SANTACODER]), undefined);
    // Two markers of three are not FIM.
    const partial: TextTokenizer = { ...fimChars, specialTokenId: (n) => (n === '<fim_middle>' ? undefined : SPECIAL[n]) };
    assert.equal(detectFim(partial, [STARCODER]), undefined);
  });

  it('PSM layout, token by token: <fim_prefix> prefix <fim_suffix> suffix <fim_middle>', () => {
    const d = 'def f(x):\n    return \nprint(f(1))\n';
    const cursor = d.indexOf('return ') + 7;
    const p = composePrompt(at(cursor, undefined, d), fimChars, { budget: 64, fim: FIM, suffixShare: 0.5 });
    assert.equal(p.mode, 'fim');
    const suffix = '\nprint(f(1))\n';
    assert.deepEqual(p.ids, [1, ...fimChars.encode(d.slice(0, cursor)), 2, ...fimChars.encode(suffix), 3]);
    assert.equal(p.suffixText, suffix);
    assert.equal(p.prefixTokens + p.suffixTokens + 3, p.ids.length);
  });

  it('token-exact budget: three control tokens, the suffix within its share, the prefix (cut) three quarters of the rest', () => {
    for (const budget of [16, 40, 64, 100]) {
      for (const share of [0, 0.1, 0.25, 0.5]) {
        const p = composePrompt(at(200), fimChars, { budget, fim: FIM, suffixShare: share });
        assert.ok(p.ids.length <= budget, `budget ${budget}, share ${share}: ${p.ids.length} tokens`);
        assert.ok(p.suffixTokens <= Math.floor(share * (budget - 3)), `suffix ${p.suffixTokens} within ${share} of ${budget - 3}`);
        // Whole lines of 8 characters: the suffix uses its share to the last line end; the prefix, which
        // has to be cut, three quarters of the rest to the first line start (a quarter stays free to type into).
        assert.ok(Math.floor(share * (budget - 3)) - p.suffixTokens < 8 || p.suffixTokens < 8, `suffix ${p.suffixTokens} uses its share`);
        const cutTo = Math.floor(0.75 * (budget - 3 - p.suffixTokens));
        // (Where three quarters hold no whole line, the cursor's line is kept: 8 tokens.)
        assert.ok(p.prefixTokens <= Math.max(cutTo, 8) && cutTo - p.prefixTokens < 8 + 1, `prefix ${p.prefixTokens} uses three quarters of the rest (${cutTo})`);
      }
    }
  });

  it('cuts at line boundaries: the prefix at the earliest line start that fits, the suffix at the last line end that fits', () => {
    const cursor = 200 + 3; // in the middle of a line: the suffix starts with the rest of it
    const p = composePrompt(at(cursor), fimChars, { budget: 64, fim: FIM, suffixShare: 0.25 });
    const prefixText = text(p.ids.slice(1, 1 + p.prefixTokens));
    assert.ok(doc.slice(0, cursor).endsWith(prefixText));
    assert.equal(doc[cursor - prefixText.length - 1], '\n', 'prefix starts at a line start');
    // One more line would not fit three quarters of the prefix's budget.
    const lineBefore = doc.slice(0, cursor - prefixText.length - 1).lastIndexOf('\n') + 1;
    assert.ok(cursor - lineBefore > Math.floor(0.75 * (64 - 3 - p.suffixTokens)));
    assert.ok(p.suffixText.endsWith('\n') && doc.slice(cursor).startsWith(p.suffixText), 'suffix ends at a line end');
    assert.equal(p.suffixText, doc.slice(cursor, cursor + 5 + 8), 'the rest of the line and one whole line: 13 of 15 tokens');
  });

  it('the cursor line\'s rest alone over the suffix budget: its first tokens', () => {
    const d = 'x = 1\ny = ' + 'a'.repeat(100) + '\n';
    const p = composePrompt(at(10, undefined, d), fimChars, { budget: 40, fim: FIM, suffixShare: 0.25 });
    assert.equal(p.suffixText, 'a'.repeat(9));
  });

  it('the suffix never runs past MAX_SUFFIX_TOKENS, whatever the budget', () => {
    const long = Array.from({ length: 400 }, (_, i) => `l${String(i).padStart(5, '0')}`).join('\n') + '\n';
    const p = composePrompt(at(7, undefined, long), fimChars, { budget: 4000, fim: FIM, suffixShare: 0.5 });
    assert.ok(p.suffixTokens <= MAX_SUFFIX_TOKENS && p.suffixTokens > MAX_SUFFIX_TOKENS - 8, `${p.suffixTokens}`);
  });

  it('typing with FIM on: the window start moves only in a big step, and until then the prompt up to the prefix\'s end is a prefix of the next', () => {
    const builder = new PromptBuilder(fimChars, { fimSpellings: [STARCODER] });
    // Typing inserts characters at a fixed place in the document: the suffix stays the same.
    const base = doc.slice(0, 200);
    const after = doc.slice(200);
    const line = 'print(x) + compute(y, z)';
    let anchor: number | undefined;
    let previous: number[] | undefined;
    let jumps = 0;
    for (let n = 0; n <= line.length; n++) {
      const p = builder.build(at(200 + n, undefined, base + line.slice(0, n) + after), { budget: 128, anchor, suffixShare: 0.25 });
      assert.ok(p.ids.length <= 128);
      assert.equal(p.suffixText, after.slice(0, 24));
      if (anchor !== undefined && p.start !== anchor) {
        jumps++;
        previous = undefined;
      }
      anchor = p.start;
      const stable = p.ids.slice(0, 1 + p.prefixTokens);
      if (previous) assert.deepEqual(stable.slice(0, previous.length), previous, `typing "${line.slice(0, n)}": the previous prompt's prefix part starts this one`);
      previous = stable;
    }
    // The first prompt, cut, leaves a quarter of its budget free: enough for the whole line, no jump.
    assert.equal(jumps, 0);
  });

  it('a budget too small for FIM falls back to prefix-only', () => {
    const p = composePrompt(at(200), fimChars, { budget: 3, fim: FIM });
    assert.equal(p.mode, 'prefix');
    assert.ok(p.ids.length <= 3);
  });
});

describe('extra context in the prompt', () => {
  const snippets: ContextSnippet[] = [
    { path: 'util.py', text: 'def helper(a, b):\n    return a + b\n', kind: 'editor' },
    { path: 'models.py', text: 'class User:\n    name: str\n', kind: 'edit' },
  ];
  const expected = '# From util.py:\n# def helper(a, b):\n#     return a + b\n# Edited recently in models.py:\n# class User:\n#     name: str\n';

  it('goes before the prefix as comments naming the file (after <fim_prefix> with FIM)', () => {
    const p = composePrompt(at(200, snippets), chars, { budget: 600 });
    assert.equal(text(p.ids.slice(0, p.extraTokens)), expected);
    assert.equal(p.snippets, 2);
    assert.ok(doc.slice(0, 200).endsWith(text(p.ids.slice(p.extraTokens))));
    const f = composePrompt(at(200, snippets), fimChars, { budget: 600, fim: FIM });
    assert.equal(f.ids[0], FIM.prefix);
    assert.equal(text(f.ids.slice(1, 1 + f.extraTokens)), expected);
    assert.equal(f.ids[1 + f.extraTokens + f.prefixTokens], FIM.suffix);
  });

  it('takes at most its share of the budget, whole snippets, the most relevant (last) first', () => {
    const budget = 200;
    const many: ContextSnippet[] = Array.from({ length: 6 }, (_, i) => ({ path: `f${i}.py`, text: `value_${i} = ${i}\n`.repeat(2), kind: 'editor' }));
    const p = composePrompt(at(200, many), chars, { budget });
    assert.ok(p.extraTokens <= Math.floor(EXTRA_CONTEXT_SHARE * budget));
    assert.ok(p.snippets >= 1 && p.snippets < 6);
    const shown = text(p.ids.slice(0, p.extraTokens));
    assert.ok(shown.includes('f5.py'), 'the last snippet is kept');
    assert.ok(!shown.includes('f0.py'), 'the first does not fit');
    assert.ok(shown.startsWith('# From f'), 'whole snippets only');
    assert.ok(p.ids.length <= budget);
  });

  it('a snippet too large for the share is left out; smaller ones before it still come', () => {
    const big: ContextSnippet = { path: 'big.py', text: 'x = 1\n'.repeat(40), kind: 'edit' };
    const p = composePrompt(at(200, [snippets[0], big]), chars, { budget: 600 });
    assert.equal(p.snippets, 1);
    assert.ok(text(p.ids.slice(0, p.extraTokens)).startsWith('# From util.py:'));
  });

  it('stays the same while typing: the prompt\'s start keeps its tokens', () => {
    const builder = new PromptBuilder(chars, { startTokenId: 0 });
    const base = doc.slice(0, 200);
    const after = doc.slice(200);
    let anchor: number | undefined;
    let first: number[] | undefined;
    for (const typed of ['', 'x', 'x =', 'x = 1']) {
      const p = builder.build(at(200 + typed.length, snippets, base + typed + after), { budget: 600, anchor });
      assert.equal(p.snippets, 2);
      anchor = p.start;
      const start = p.ids.slice(0, p.extraTokens + 10);
      if (first) assert.deepEqual(start, first);
      first ??= start;
    }
  });

  it('is deduplicated against the text around the cursor and against itself', () => {
    const inWindow: ContextSnippet = { path: 'd.py', text: 'line 10\nline 11\n', kind: 'edit' };
    const again: ContextSnippet = { path: 'util.py', text: '    return a + b', kind: 'editor' };
    const p = composePrompt(at(200, [snippets[0], inWindow, again]), chars, { budget: 600 });
    assert.equal(p.snippets, 1);
    assert.equal(text(p.ids.slice(0, p.extraTokens)), '# From util.py:\n# def helper(a, b):\n#     return a + b\n');
  });

  it('none in a language without comments (plaintext, JSON), and none when off (no snippets sent)', () => {
    const plain = createSnapshot({ ...at(200, snippets), languageId: 'plaintext' });
    assert.equal(composePrompt(plain, chars, { budget: 600 }).snippets, 0);
    assert.equal(composePrompt(at(200), chars, { budget: 200 }).extraTokens, 0);
  });
});

describe('document text never becomes a control token', () => {
  it('a prefix and suffix spelling <fim_middle> encode as its characters: the only control ids are the layout\'s', () => {
    const d = 's = "<fim_middle><fim_suffix>"\n\nt = "<fim_prefix>"\n';
    const p = composePrompt(at(d.indexOf('\n\n') + 1, undefined, d), fimChars, { budget: 64, fim: FIM });
    const control = p.ids.map((id, i) => [id, i] as const).filter(([id]) => id >= 1 && id <= 4);
    assert.deepEqual(control, [
      [1, 0],
      [2, 1 + p.prefixTokens],
      [3, p.ids.length - 1],
    ]);
  });
});
