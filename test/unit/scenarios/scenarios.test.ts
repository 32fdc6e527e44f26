// The scenario suite: each scenario through the function the extension and `postprocess` share.
import { strict as assert } from 'node:assert';
import { postprocessCase } from '../../../src/cliPostprocess';
import { ALL_SCENARIOS } from './all';
import { answerOf, caseOf } from './scenario';

describe('scenarios', () => {
  it('at least 80, across the languages the issue names, each named once', () => {
    assert.ok(ALL_SCENARIOS.length >= 80, `${ALL_SCENARIOS.length} scenarios`);
    const languages = new Set(ALL_SCENARIOS.map((s) => s.languageId));
    for (const l of ['python', 'typescript', 'javascript', 'go', 'rust', 'java', 'c', 'php', 'sql', 'yaml', 'json', 'css', 'markdown']) assert.ok(languages.has(l), l);
    const names = ALL_SCENARIOS.map((s) => `${s.languageId}: ${s.name}`);
    assert.equal(new Set(names).size, names.length, 'names are unique');
  });

  for (const s of ALL_SCENARIOS) {
    it(`[${s.languageId}${s.mode ? `, ${s.mode}` : ''}] ${s.name}`, () => {
      assert.deepEqual(postprocessCase(caseOf(s)), answerOf(s), JSON.stringify(s.doc));
    });
  }
});
