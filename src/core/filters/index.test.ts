import { strict as assert } from 'node:assert';
import { parseCursorCase } from './cursorCase';
import { postProcess, postProcessAll } from './index';

describe('post-processing chain', () => {
  it('applies the filters in order', () => {
    const { snapshot, completion } = parseCursorCase('print(├a, b)  \uFFFD┤)');
    // The half character goes, then the trailing spaces, then the doubled bracket.
    assert.equal(postProcess(completion, snapshot), 'a, b');
  });

  it('drops what ends up empty and de-duplicates alternatives', () => {
    const { snapshot } = parseCursorCase('x = ├┤');
    assert.deepEqual(postProcessAll(['1', ' \n', '1  ', '2'], snapshot), ['1', '2']);
  });
});
