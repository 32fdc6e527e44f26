// The scenario suite: each scenario through the function the extension and `postprocess` share.
import { strict as assert } from 'node:assert';
import { postprocessCase } from '../../../src/cliPostprocess';
import { ALL_SCENARIOS } from './all';
import { BLOCK_ENDS, BLOCK_FOLLOWS, FILL_IN_LINE, REST_OF_LINE } from './fillAndBlocks';
import { answerOf, caseOf } from './scenario';

describe('scenarios', () => {
  it('at least 80, across the languages the issue names, each named once', () => {
    assert.ok(ALL_SCENARIOS.length >= 80, `${ALL_SCENARIOS.length} scenarios`);
    const languages = new Set(ALL_SCENARIOS.map((s) => s.languageId));
    for (const l of ['python', 'typescript', 'javascript', 'go', 'rust', 'java', 'c', 'php', 'sql', 'yaml', 'json', 'css', 'markdown']) assert.ok(languages.has(l), l);
    // Issue 11's rules: at least 40, with and without a FIM model, in several languages.
    const shaped = [...FILL_IN_LINE, ...BLOCK_FOLLOWS, ...BLOCK_ENDS, ...REST_OF_LINE];
    assert.ok(shaped.length >= 40, `${shaped.length} scenarios of fill-in-line and blocks`);
    assert.ok(shaped.filter((s) => s.fim === false).length >= 8, 'non-FIM ones');
    assert.ok(new Set(shaped.map((s) => s.languageId)).size >= 10, 'several languages');
    const names = ALL_SCENARIOS.map((s) => `${s.languageId}: ${s.name}`);
    assert.equal(new Set(names).size, names.length, 'names are unique');
  });

  for (const s of ALL_SCENARIOS) {
    it(`[${s.languageId}${s.mode ? `, ${s.mode}` : ''}] ${s.name}`, () => {
      assert.deepEqual(postprocessCase(caseOf(s)), answerOf(s), JSON.stringify(s.doc));
    });
  }
});
