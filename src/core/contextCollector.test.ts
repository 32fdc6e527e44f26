import { strict as assert } from 'node:assert';
import { ContextCollector, MAX_DOCUMENTS, MAX_EDITOR_SNIPPETS, MAX_EDIT_SNIPPETS, RECENT_EDIT_MS, SNIPPET_CHARS, type TrackedDocument } from './contextCollector';

interface FakeDoc extends TrackedDocument {
  text: string[];
  reads: number;
}

function doc(id: string, lines: string[], languageId = 'python'): FakeDoc {
  const d: FakeDoc = {
    id,
    path: `src/${id}`,
    languageId,
    text: lines,
    reads: 0,
    lines: {
      get lineCount() {
        return d.text.length;
      },
      lineAt: (i) => {
        d.reads++;
        return d.text[i];
      },
    },
  };
  return d;
}

const numbered = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}_${i} = ${i}`);

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('extra context: what the collector picks', () => {
  it('other documents of the same language around their cursor, most recently visited last, at most a few', () => {
    const c = new ContextCollector();
    const current = doc('main.py', numbered('m', 50));
    const others = Array.from({ length: 5 }, (_, i) => doc(`o${i}.py`, numbered(`o${i}`, 50)));
    others.forEach((d, i) => c.visited(d, 10 + i));
    c.visited(doc('web.ts', numbered('w', 50), 'typescript'), 3);
    c.visited(current, 20);
    const got = c.snippets(current, 0, 49);
    assert.equal(got.length, MAX_EDITOR_SNIPPETS);
    assert.deepEqual(got.map((s) => s.path), ['src/o2.py', 'src/o3.py', 'src/o4.py']);
    assert.ok(got.every((s) => s.kind === 'editor'));
    // Whole lines around the cursor (line 14 of o4): four above and below.
    assert.equal(got[2].text, numbered('o4', 50).slice(10, 19).join('\n'));
  });

  it('recent edits of the language outside the window, newest last; inside the window or too old: none', () => {
    const t = clock();
    const c = new ContextCollector(t.now);
    const current = doc('main.py', numbered('m', 400));
    const other = doc('lib.py', numbered('l', 100));
    c.edited(other, [{ startLine: 30, endLine: 30, insertedLines: 0 }]);
    t.advance(1000);
    c.edited(current, [{ startLine: 10, endLine: 10, insertedLines: 0 }]);
    t.advance(1000);
    c.edited(current, [{ startLine: 300, endLine: 300, insertedLines: 0 }]);
    const got = c.snippets(current, 200, 399);
    assert.deepEqual(
      got.map((s) => [s.path, s.kind, s.text]),
      [
        ['src/lib.py', 'edit', 'l_29 = 29\nl_30 = 30\nl_31 = 31'],
        ['src/main.py', 'edit', 'm_9 = 9\nm_10 = 10\nm_11 = 11'],
      ],
    );
    t.advance(RECENT_EDIT_MS - 1500);
    assert.deepEqual(c.snippets(current, 200, 399).map((s) => s.path), ['src/main.py'], 'the older edit has expired');
  });

  it('at most a few edits; an edit inside another editor\'s snippet is not repeated', () => {
    const t = clock();
    const c = new ContextCollector(t.now);
    const current = doc('main.py', numbered('m', 10));
    const other = doc('lib.py', numbered('l', 200));
    c.visited(other, 50);
    c.edited(other, [{ startLine: 50, endLine: 50, insertedLines: 0 }]);
    for (const line of [100, 120, 140, 160]) {
      t.advance(10);
      c.edited(other, [{ startLine: line, endLine: line, insertedLines: 0 }]);
    }
    const got = c.snippets(current, 0, 9);
    assert.equal(got.filter((s) => s.kind === 'editor').length, 1);
    const edits = got.filter((s) => s.kind === 'edit');
    assert.equal(edits.length, MAX_EDIT_SNIPPETS);
    assert.ok(!edits.some((s) => s.text.includes('l_50 ')), 'the edit at the cursor is in the editor snippet');
    assert.ok(edits[edits.length - 1].text.includes('l_160 '), 'newest last');
  });

  it('edited ranges move with lines inserted or deleted above them; typing line after line stays one range', () => {
    const t = clock();
    const c = new ContextCollector(t.now);
    const current = doc('main.py', numbered('m', 10));
    const other = doc('lib.py', numbered('l', 200));
    c.edited(other, [{ startLine: 100, endLine: 100, insertedLines: 0 }]);
    // Three lines inserted at line 10, then two deleted at line 50: line 100 is now 101.
    other.text.splice(10, 0, 'a', 'b', 'c');
    c.edited(other, [{ startLine: 10, endLine: 10, insertedLines: 3 }]);
    other.text.splice(50, 2);
    c.edited(other, [{ startLine: 50, endLine: 52, insertedLines: 0 }]);
    const moved = c.snippets(current, 0, 9).find((s) => s.text.includes('l_100 = 100'));
    assert.ok(moved, 'the range followed its line');
    // Typing on lines 120, 121, 122 (Enter, then text) is one range.
    for (const line of [120, 121, 122]) c.edited(other, [{ startLine: line, endLine: line, insertedLines: line < 122 ? 1 : 0 }]);
    const ranges = c.snippets(current, 0, 9).filter((s) => s.text.includes(other.text[121]));
    assert.equal(ranges.length, 1);
  });

  it('snippets are whole lines within SNIPPET_CHARS; a minified line gives none', () => {
    const c = new ContextCollector();
    const wide = doc('wide.py', Array.from({ length: 30 }, (_, i) => `v${i} = "${'x'.repeat(60)}"`));
    const minified = doc('min.py', ['x = 1', 'y = [' + '1, '.repeat(500) + ']', 'z = 3']);
    const current = doc('main.py', ['']);
    c.visited(wide, 15);
    c.visited(minified, 1);
    const got = c.snippets(current, 0, 0);
    assert.deepEqual(got.map((s) => s.path), ['src/wide.py']);
    assert.ok(got[0].text.length <= SNIPPET_CHARS);
    assert.ok(got[0].text.split('\n').every((l) => wide.text.includes(l)));
    assert.ok(got[0].text.includes('v15 = '), 'centered on the cursor line');
  });

  it('stays the same while typing at the cursor of the current document', () => {
    const t = clock();
    const c = new ContextCollector(t.now);
    const current = doc('main.py', numbered('m', 300));
    c.visited(doc('lib.py', numbered('l', 50)), 25);
    c.edited(current, [{ startLine: 5, endLine: 5, insertedLines: 0 }]);
    const before = c.snippets(current, 150, 299);
    for (let k = 0; k < 20; k++) {
      t.advance(100);
      c.edited(current, [{ startLine: 250, endLine: 250, insertedLines: k % 5 === 4 ? 1 : 0 }]);
      c.visited(current, 250 + Math.floor(k / 5));
      assert.deepEqual(c.snippets(current, 150, 299), before);
    }
  });

  it('bounded: documents beyond MAX_DOCUMENTS are forgotten least recently visited first, closed ones at once; a request reads only the lines it returns', () => {
    const c = new ContextCollector();
    const big = Array.from({ length: MAX_DOCUMENTS + 4 }, (_, i) => doc(`d${i}.py`, numbered(`d${i}`, 10_000)));
    big.forEach((d) => c.visited(d, 5_000));
    assert.equal(c.size, MAX_DOCUMENTS);
    c.closed(big[big.length - 1].id);
    assert.equal(c.size, MAX_DOCUMENTS - 1);
    big.forEach((d) => (d.reads = 0));
    const current = doc('main.py', ['']);
    const got = c.snippets(current, 0, 0);
    assert.deepEqual(got.map((s) => s.path), ['src/d16.py', 'src/d17.py', 'src/d18.py']);
    const reads = big.reduce((n, d) => n + d.reads, 0);
    assert.ok(reads <= MAX_EDITOR_SNIPPETS * 9, `${reads} lines read`);
  });
});
