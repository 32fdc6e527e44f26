import { strict as assert } from 'node:assert';
import { createSnapshot } from '../snapshot';
import { predictionAt, remainingPrediction } from './typedAhead';

const at = (prefix: string, suffix = '', version = 1) => createSnapshot({ prefix, suffix, languageId: 'js', path: '/a.js', version, prefixOffset: 0 });

describe('typed-ahead predictions', () => {
  const base = 'const size = ar';
  const p = { ...predictionAt(at(base, '\nnext'), 'ea(w, h);'), text: 'ea(w, h);\nconst x = 1;' };

  it('typing inside the suggestion leaves its rest, never longer than the suggestion', () => {
    assert.equal(remainingPrediction(p, at(base + 'e', '\nnext', 2)), 'a(w, h);');
    assert.equal(remainingPrediction(p, at(base + 'ea(w', '\nnext', 5)), ', h);');
  });

  it('past the suggestion, the look-ahead goes on', () => {
    assert.equal(remainingPrediction(p, at(base + 'ea(w, h);\n', '\nnext', 9)), 'const x = 1;');
  });

  it('another character, another file, a changed line after the cursor or an edit before: no prediction', () => {
    assert.equal(remainingPrediction(p, at(base + 'x', '\nnext')), undefined);
    assert.equal(remainingPrediction(p, { ...at(base + 'e', '\nnext'), path: '/b.js' }), undefined);
    assert.equal(remainingPrediction(p, at(base + 'e', ')\nnext')), undefined);
    assert.equal(remainingPrediction(p, at('let size = are', '\nnext')), undefined);
    assert.equal(remainingPrediction(p, at(base.slice(0, -1), '\nnext')), undefined, 'a backspace');
  });

  it('a closer the editor auto-closed after what was typed keeps the prediction; one nothing typed opened does not', () => {
    // `const size = ar├ea(w, h);┤` typed up to `ea(`, the editor adding `)` after the cursor.
    assert.equal(remainingPrediction(p, at(base + 'ea(', ')\nnext', 4)), 'w, h);');
    assert.equal(remainingPrediction(p, at(base + 'ea(', '))\nnext', 4)), undefined, 'two closers for one opener');
    assert.equal(remainingPrediction(p, at(base + 'ea(', ']\nnext', 4)), undefined, 'a closer of another kind');
  });

  it('works with a prefix window that starts later in the document', () => {
    const windowed = createSnapshot({ prefix: 'size = are', suffix: '\nnext', languageId: 'js', path: '/a.js', version: 2, prefixOffset: 6 });
    assert.equal(remainingPrediction(p, windowed), 'a(w, h);');
  });
});
