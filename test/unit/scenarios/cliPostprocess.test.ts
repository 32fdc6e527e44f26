// `node dist/cli.js postprocess` answers the documented format, and exactly what the extension's
// function answers, for every scenario (one process, one line per scenario).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers';
import { ALL_SCENARIOS } from './all';
import { answerOf, caseOf } from './scenario';

function postprocess(input: string): { status: number | null; lines: string[]; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist/cli.js'), 'postprocess'], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, lines: r.stdout.split('\n').filter((l) => l.length > 0), stderr: r.stderr };
}

describe('node dist/cli.js postprocess', () => {
  it('answers every scenario as the scenario expects, one JSON line each', () => {
    const { status, lines, stderr } = postprocess(ALL_SCENARIOS.map((s) => JSON.stringify(caseOf(s))).join('\n') + '\n');
    assert.equal(status, 0, stderr);
    assert.equal(lines.length, ALL_SCENARIOS.length);
    lines.forEach((line, i) => assert.deepEqual(JSON.parse(line), answerOf(ALL_SCENARIOS[i]), ALL_SCENARIOS[i].name));
  });

  it('the documented format: text or null, replaceSuffixChars only when it replaces something', () => {
    const cases = [
      { filename: 'a.py', languageId: 'python', prefix: 'print(', suffix: ')\n', completion: 'a, b)' },
      { filename: 'a.py', languageId: 'python', prefix: 'x = 1', suffix: '\n', completion: ' + 2\ny = 3' },
      { filename: 'a.py', languageId: 'python', prefix: 'x = fo', suffix: 'o\n', completion: 'o' },
      // mode forces the line decision; absent, it is decided as the extension does.
      { filename: 'a.py', languageId: 'python', prefix: 'def f():', suffix: '', completion: '\n    a = 1\n    b = 2', mode: 'single' },
      { filename: 'a.py', languageId: 'python', prefix: 'def f():', suffix: '', completion: '\n    a = 1\n    b = 2' },
    ];
    const { status, lines } = postprocess(cases.map((c) => JSON.stringify(c)).join('\n'));
    assert.equal(status, 0);
    assert.deepEqual(lines, [
      '{"text":"a, b)","replaceSuffixChars":1}',
      '{"text":" + 2"}',
      '{"text":null}',
      '{"text":"\\n    a = 1"}',
      '{"text":"\\n    a = 1\\n    b = 2"}',
    ]);
  });

  it('"fim" says whether the model saw the suffix: absent is true, false keeps the mid-line gate', () => {
    const fill = { filename: 'a.py', languageId: 'python', prefix: 'print(', suffix: ', file=f)\n', completion: '"x", file=f)' };
    const { status, lines } = postprocess([fill, { ...fill, fim: true }, { ...fill, fim: false }].map((c) => JSON.stringify(c)).join('\n'));
    assert.equal(status, 0);
    assert.deepEqual(lines, ['{"text":"\\"x\\""}', '{"text":"\\"x\\""}', '{"text":null}']);
  });

  it('a line that is not a case is answered with an error in its place, and the exit status says so', () => {
    const good = JSON.stringify({ filename: 'a.js', languageId: 'javascript', prefix: 'f(', suffix: ')', completion: 'x)' });
    const { status, lines, stderr } = postprocess(['not json', '', '{"prefix": 1, "suffix": "", "completion": ""}', good, '{"prefix":"","suffix":"","completion":"a","mode":"both"}', '{"prefix":"","suffix":"","completion":"a","fim":"yes"}'].join('\n'));
    assert.equal(status, 1);
    assert.equal(lines.length, 5, 'blank lines are skipped, every other line answered');
    assert.equal(JSON.parse(lines[0]).text, null);
    assert.match(JSON.parse(lines[0]).error, /^line 1: /);
    assert.match(JSON.parse(lines[1]).error, /^line 3: "prefix" must be a string/);
    assert.deepEqual(JSON.parse(lines[2]), { text: 'x)', replaceSuffixChars: 1 });
    assert.match(JSON.parse(lines[3]).error, /"mode" must be "single" or "multi"/);
    assert.match(JSON.parse(lines[4]).error, /"fim" must be true or false/);
    assert.match(stderr, /line 1: /);
  });
});
