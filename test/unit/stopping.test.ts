import { strict as assert } from 'node:assert';
import { parseCursorCase } from '../../src/core/completion/filters/cursorCase';
import { requestContext } from '../../src/core/completion/requestContext';
import { textStops } from '../../src/core/completion/stops';
import { contextCriteria, deadline, earlyAnswer, eos, firstStop, maxNewTokens, newline, type GenerationState } from '../../src/inference/stopping';

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

  it('deadline: passed, or the next step would end past it', () => {
    assert.equal(deadline(100)(state('', [1], 99)), undefined);
    assert.equal(deadline(100)(state('', [1], 100))?.reason, 'deadline');
    const d = deadline(100);
    assert.equal(d(state('', [1], 10)), undefined);
    assert.equal(d(state('', [1, 2], 40)), undefined, 'a 30 ms step: 70 would still be in time');
    assert.equal(d(state('', [1, 2, 3], 75))?.reason, 'deadline', 'a 35 ms step from 75 would end at 110');
  });

  it('early answer: its time is up and it has two tokens, keeping them all', () => {
    assert.equal(earlyAnswer(60)(state(' total', [1, 2], 59)), undefined, 'in time');
    assert.equal(earlyAnswer(60)(state(' ', [1], 200)), undefined, 'one token is not yet an answer');
    assert.deepEqual(earlyAnswer(60)(state(' total', [1, 2], 60)), { reason: 'early' });
  });

  it('single-line stops at the first newline, cutting it off', () => {
    assert.equal(newline('singleLine')(state('foo(1)')), undefined);
    assert.deepEqual(newline('singleLine')(state('foo(1)\n  bar')), { reason: 'newline', cutAt: 6, seenAt: 7 });
    assert.deepEqual(newline('singleLine')(state('a\r\nb')), { reason: 'newline', cutAt: 1, seenAt: 3 });
    // A leading newline goes on to the next line's text at the end of a line; mid-line it ends the text.
    assert.equal(newline('singleLine')(state('\n  x')), undefined);
    assert.deepEqual(newline('singleLine')(state('\n  x\n')), { reason: 'newline', cutAt: 4, seenAt: 5 });
    assert.deepEqual(newline('singleLine', true)(state('\n  x')), { reason: 'newline', cutAt: 0, seenAt: 1 });
  });

  it('single-line decides only when a line break arrives (it keeps its place)', () => {
    const c = newline('singleLine');
    assert.equal(c(state('\n')), undefined);
    assert.equal(c(state('\n  x')), undefined);
    assert.equal(c(state('\n  x\n'))?.cutAt, 4);
  });

  it('multi-line stops at the first blank line after text', () => {
    assert.equal(newline('multiLine')(state('\n    return 1\n')), undefined);
    assert.deepEqual(newline('multiLine')(state('\n    return 1\n\ndef g')), { reason: 'blank-line', cutAt: 13, seenAt: 15 });
    assert.deepEqual(newline('multiLine')(state('a\n  \t\nb')), { reason: 'blank-line', cutAt: 1, seenAt: 6 });
  });

  it("'none' never stops", () => {
    assert.equal(newline('none')(state('a\n\n\nb')), undefined);
  });

  it('of several that stop, the one decoding reaches first wins, whatever the list order', () => {
    assert.equal(firstStop([maxNewTokens(1), eos(9)], state('', [9]))?.reason, 'max-tokens');
    // One token brings "b\n\n": the single-line stop needed less text than the blank line.
    const text = 'a\nb\n\n';
    assert.equal(firstStop([newline('multiLine'), newline('singleLine')], state(text))?.reason, 'newline');
    // The same text read: the shorter result wins.
    assert.deepEqual(firstStop([maxNewTokens(1), newline('singleLine')], state('ab\n'))?.cutAt, 2);
  });

  it('the context criteria are the stops the extension host replays, in the same order', () => {
    const { snapshot } = parseCursorCase('function f() {├┤\n}', 'javascript');
    const ctx = requestContext(snapshot);
    const reasons = contextCriteria(ctx, 'multiLine').map((c) => c(state('\n  return 1;\n}'))?.reason);
    assert.deepEqual(reasons, ['blank-line', 'suffix-overlap', 'dedent', 'block-end', 'own-block-end', 'repeated-lines', 'closed-by-suffix', 'stop-sequence'].map((r) => (r === 'closed-by-suffix' ? r : undefined)));
    assert.equal(contextCriteria(ctx, 'multiLine').length, textStops(ctx, 'multiLine').length);
  });

  it('the request context survives JSON (it travels over IPC)', () => {
    const { snapshot } = parseCursorCase('class A {\n  f() {├┤\n  }\n}', 'typescript');
    const ctx = requestContext(snapshot);
    assert.deepEqual(JSON.parse(JSON.stringify(ctx)), ctx);
  });
});
