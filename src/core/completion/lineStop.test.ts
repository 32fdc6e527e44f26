import { strict as assert } from 'node:assert';
import { newlineCut } from './lineStop';

describe('newlineCut', () => {
  it('single line: the first newline after text ends it', () => {
    assert.equal(newlineCut('foo(1)', 'singleLine'), undefined);
    assert.equal(newlineCut('foo(1)\n  bar', 'singleLine'), 6);
    assert.equal(newlineCut('a\r\nb', 'singleLine'), 1);
  });

  it('single line at the end of a line: one leading newline continues on the next line', () => {
    assert.equal(newlineCut('\n', 'singleLine'), undefined);
    assert.equal(newlineCut('\n    x = 1', 'singleLine'), undefined);
    assert.equal(newlineCut('\n    x = 1\n    y', 'singleLine'), 10);
    assert.equal(newlineCut('  \r\n  x\r\ny', 'singleLine'), 7);
    // A second newline straight away is a blank line: nothing to show.
    assert.equal(newlineCut('\n\nx', 'singleLine'), 1);
  });

  it('single line in the middle of a line: even a leading newline ends it', () => {
    assert.equal(newlineCut('\n  x', 'singleLine', { midLine: true }), 0);
    assert.equal(newlineCut('a, b\nc', 'singleLine', { midLine: true }), 4);
  });

  it('multi-line: the first blank line after text ends it', () => {
    assert.equal(newlineCut('\n    return 1\n', 'multiLine'), undefined);
    assert.equal(newlineCut('\n    return 1\n\ndef g', 'multiLine'), 13);
    assert.equal(newlineCut('a\r\n  \t\r\nb', 'multiLine'), 1);
    assert.equal(newlineCut('\n\n  x\n\n', 'multiLine'), 5);
  });

  it("'none' never cuts", () => assert.equal(newlineCut('a\n\n\nb', 'none'), undefined));

  it('cutting again where it cut is a no-op (post-processing replays the decoder)', () => {
    for (const text of ['\n  a\n  b', 'x\ny', '\n\n', '\n  a\n\nb', 'a\n  \nb']) {
      for (const policy of ['singleLine', 'multiLine'] as const) {
        for (const midLine of [false, true]) {
          const once = newlineCut(text, policy);
          const decoded = once === undefined ? text : text.slice(0, once);
          const direct = newlineCut(text, policy, { midLine });
          const replayed = newlineCut(decoded, policy, { midLine });
          assert.equal(replayed === undefined ? decoded : decoded.slice(0, replayed), direct === undefined ? text : text.slice(0, direct), JSON.stringify({ text, policy, midLine }));
        }
      }
    }
  });
});
