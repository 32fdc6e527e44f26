import { strict as assert } from 'node:assert';
import { parseCursorCase } from './cursorCase';
import { postProcess, postProcessSuggestion } from './index';

describe('post-processing chain', () => {
  it('applies the filters in order', () => {
    const { snapshot, completion } = parseCursorCase('print(├a, b)  \uFFFD┤)', 'python');
    // The half character goes, then the trailing spaces; the doubled bracket is replaced, not inserted.
    assert.equal(postProcess(completion, snapshot), 'a, b)');
    assert.deepEqual(postProcessSuggestion(completion, snapshot), { text: 'a, b)', replaceSuffixChars: 1 });
  });

  it('drops what ends up empty', () => {
    const { snapshot } = parseCursorCase('x = ├┤');
    assert.equal(postProcessSuggestion(' \n', snapshot), undefined);
    assert.equal(postProcessSuggestion('\uFFFD1', snapshot), undefined);
  });

  it('a block is cut where it ends, then its repeat of the suffix goes', () => {
    const { snapshot, completion } = parseCursorCase('function f() {├\n  return 1;  \n}\nfunction g() {}┤\n}', 'javascript');
    assert.deepEqual(postProcessSuggestion(completion, snapshot), { text: '\n  return 1;', replaceSuffixChars: 0 });
  });
});
