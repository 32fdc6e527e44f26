import { strict as assert } from 'node:assert';
import { deadline, eos, firstStop, maxNewTokens, newline, type GenerationState } from '../../src/inference/stopping';

const state = (text: string, newIds: number[] = [1], elapsedMs = 0): GenerationState => ({ text, newIds, elapsedMs });

describe('stopping criteria', () => {
  it('EOS stops and drops the EOS token', () => {
    assert.deepEqual(eos(50256)(state('x', [5, 50256])), { reason: 'eos', dropLastToken: true });
    assert.equal(eos(50256)(state('x', [5, 6])), undefined);
    assert.equal(eos(undefined)(state('x', [50256])), undefined);
  });

  it('max new tokens', () => {
    assert.equal(maxNewTokens(3)(state('', [1, 2])), undefined);
    assert.equal(maxNewTokens(3)(state('', [1, 2, 3]))?.reason, 'max-tokens');
  });

  it('deadline', () => {
    assert.equal(deadline(100)(state('', [1], 99)), undefined);
    assert.equal(deadline(100)(state('', [1], 100))?.reason, 'deadline');
  });

  it('single-line stops at the first newline, cutting it off', () => {
    const c = newline('singleLine');
    assert.equal(c(state('foo(1)')), undefined);
    assert.deepEqual(c(state('foo(1)\n  bar')), { reason: 'newline', cutAt: 6 });
    assert.deepEqual(c(state('a\r\nb')), { reason: 'newline', cutAt: 1 });
    // A leading newline goes on to the next line's text (at the end of a line that is the
    // suggestion; mid-line, post-processing cuts it there: src/core/lineStop.ts).
    assert.equal(c(state('\n  x')), undefined);
    assert.deepEqual(c(state('\n  x\n')), { reason: 'newline', cutAt: 4 });
  });

  it('multi-line stops at the first blank line after text', () => {
    const c = newline('multiLine');
    assert.equal(c(state('\n    return 1\n')), undefined);
    assert.deepEqual(c(state('\n    return 1\n\ndef g')), { reason: 'blank-line', cutAt: 13 });
    assert.deepEqual(c(state('a\n  \t\nb')), { reason: 'blank-line', cutAt: 1 });
  });

  it("'none' never stops", () => {
    assert.equal(newline('none')(state('a\n\n\nb')), undefined);
  });

  it('firstStop takes the first criterion that fires', () => {
    assert.equal(firstStop([maxNewTokens(1), eos(9)], state('', [9]))?.reason, 'max-tokens');
  });
});
