// `node dist/cli.js complete` sees what the editor sees: --suffix / --suffix-file and --language
// make the document around the cursor, the prompt is the engine's (FIM when the tokenizer has
// FIM tokens), and --line-mode makes the request the extension's: its line policy and stops
// while decoding, then its post-processing.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel, TINY_BIGCODE } from '../../scripts/model/generate';
import { decide } from '../../src/core/completion/completionPolicy';
import { DEFAULTS } from '../../src/core/config';
import { isSignificant } from '../../src/core/completion/lines';
import type { CompletionOptions, NewlinePolicy } from '../../src/core/protocol';
import { requestContext } from '../../src/core/completion/requestContext';
import { createSnapshot } from '../../src/core/snapshot';
import { suggestAll } from '../../src/core/completion/suggestion';
import type { InferenceEngine } from '../../src/inference/engine';
import { loadEngine, repoRoot } from './helpers';
import { lineModel } from './lineModel';

interface Answer {
  completions: { text: string; tokenIds: number[]; stopReason: string; meanLogprob?: number }[];
  suggestions?: { text: string; replaceSuffixChars: number }[];
  promptTokenIds: number[];
}

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot(), 'dist/cli.js'), 'complete', '--model-file', 'fp32', '--execution-provider', 'cpu', ...args], { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function json(args: readonly string[]): Promise<Answer> {
  const r = await cli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Answer;
}

const options = (o: Partial<CompletionOptions> = {}): CompletionOptions => ({
  temperature: 0,
  topK: 50,
  topP: 1,
  repetitionPenalty: 1,
  maxNewTokens: 24,
  contextTokens: Number.MAX_SAFE_INTEGER,
  suffixShare: DEFAULTS.suffixShare,
  timeoutMs: Number.MAX_SAFE_INTEGER,
  newline: 'none',
  numReturnSequences: 1,
  seed: 1,
  ...o,
});
const GREEDY = ['--temperature', '0', '--max-new-tokens', '24'];

describe('node dist/cli.js complete: the editor\'s document and request', function () {
  this.timeout(120_000);
  let model: { dir: string; cleanup: () => void };
  let engine: InferenceEngine;
  let work: string;
  before(async () => {
    model = await lineModel();
    engine = await loadEngine(model.dir);
    work = mkdtempSync(join(tmpdir(), 'ghostwriter-cli-'));
  });
  after(async () => {
    await engine?.release();
    model?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('with --line-mode: the extension\'s stops and suggestions, the same prompt', async () => {
    const prefix = 'def fibonacci(n):\n';
    const suffix = '\n    return n\n';
    const answer = await json(['--model', model.dir, '--prompt', prefix, '--suffix', suffix, '--language', 'python', '--line-mode', 'auto', ...GREEDY]);
    const snapshot = createSnapshot({ prefix, suffix, languageId: 'python', path: '<prompt>', version: 1 });
    const policy = decide(snapshot, 'auto') as NewlinePolicy;
    const expected = await engine.complete(snapshot, options({ newline: policy, context: requestContext(snapshot) }));
    assert.deepEqual(answer.promptTokenIds, expected.promptTokenIds);
    assert.deepEqual(
      answer.completions.map(({ meanLogprob, ...rest }) => rest),
      expected.completions.map(({ text, tokenIds, stopReason }) => ({ text, tokenIds, stopReason })),
    );
    // The engine's confidence, as the extension's log and gate read it (the same to rounding across runs).
    answer.completions.forEach((c, i) => assert.ok(Math.abs(c.meanLogprob! - expected.completions[i].meanLogprob!) < 1e-4));
    assert.deepEqual(answer.suggestions, suggestAll(expected.completions.map((c) => c.text), snapshot, 'auto'));
  });

  it('--suffix-file holding the line the model is about to write: it stops before it, no suggestion', async () => {
    // A place where the model writes a line and goes on to the next.
    let prefix = '';
    let first = '';
    for (const p of ['x = 1\n', 'def fibonacci(n):\n', 'import os\nimport sys\n', 'Hello\n']) {
      const free = await json(['--model', model.dir, '--prompt', p, ...GREEDY]);
      assert.equal(free.suggestions, undefined, 'without --line-mode: the raw completion');
      [prefix, first] = [p, free.completions[0].text.split('\n')[0]];
      if (isSignificant(first) && free.completions[0].text.includes('\n')) break;
    }
    assert.ok(prefix, 'the model wrote a line break after a first line at one of the places');
    const file = join(work, 'suffix.py');
    writeFileSync(file, `\n${first}\n`);
    const answer = await json(['--model', model.dir, '--prompt', prefix, '--suffix-file', file, '--language', 'python', '--line-mode', 'multiLine', ...GREEDY]);
    assert.equal(answer.completions[0].stopReason, 'suffix-overlap');
    assert.equal(answer.completions[0].text, '');
    assert.deepEqual(answer.suggestions, []);
    const plain = await cli(['--model', model.dir, '--prompt', prefix, '--suffix-file', file, '--language', 'python', '--line-mode', 'multiLine', ...GREEDY]);
    assert.equal(plain.stdout, '');
    assert.match(plain.stderr, /no suggestion/);
  });

  it('the mid-line gate: no model run, no suggestion', async () => {
    const answer = await json(['--model', model.dir, '--prompt', 'total = comp', '--suffix', 'ute(x)', '--language', 'python', '--line-mode', 'auto', ...GREEDY]);
    assert.deepEqual(answer.completions, []);
    assert.deepEqual(answer.suggestions, []);
  });

  it('a FIM tokenizer: the suffix is in the prompt, as the engine builds it for the extension', async () => {
    const dir = await ensureModel('tiny-bigcode', TINY_BIGCODE);
    const fim = await loadEngine(dir);
    try {
      const prefix = 'def add(a, b):\n    ';
      const suffix = '\n\nprint(add(1, 2))\n';
      const answer = await json(['--model', dir, '--prompt', prefix, '--suffix', suffix, '--language', 'python', '--line-mode', 'auto', ...GREEDY]);
      const snapshot = createSnapshot({ prefix, suffix, languageId: 'python', path: '<prompt>', version: 1 });
      const expected = await fim.complete(snapshot, options({ newline: decide(snapshot, 'auto') as NewlinePolicy, context: requestContext(snapshot) }));
      assert.deepEqual(answer.promptTokenIds, expected.promptTokenIds);
      const withoutSuffix = await json(['--model', dir, '--prompt', prefix, ...GREEDY]);
      assert.ok(answer.promptTokenIds.length > withoutSuffix.promptTokenIds.length, 'the suffix is part of the prompt');
    } finally {
      await fim.release();
    }
  });

  it('refuses --suffix with --suffix-file, and both files from stdin', async () => {
    const both = await cli(['--model', model.dir, '--prompt', 'a', '--suffix', 'b', '--suffix-file', 'c']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--suffix and --suffix-file/);
    const stdin = await cli(['--model', model.dir, '--prompt-file', '-', '--suffix-file', '-']);
    assert.equal(stdin.code, 2);
    assert.match(stdin.stderr, /only one of --prompt-file and --suffix-file/);
  });
});
