import { strict as assert } from 'node:assert';
import { newlinePolicy } from '../../src/core/completionService';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shortReason } from '../../src/core/engineState';
import { loadTokenizer } from '../../src/core/tokenizer';
import { createSnapshot } from '../../src/core/snapshot';

const at = (prefix: string, suffix = '') => createSnapshot({ prefix, suffix, languageId: 'python', path: 'x.py', version: 1 });

describe("lineMode 'auto'", () => {
  it('middle of a line: single line', () => assert.equal(newlinePolicy(at('print(', ')'), 'auto'), 'singleLine'));
  it('end of a statement: single line', () => assert.equal(newlinePolicy(at('x = compute'), 'auto'), 'singleLine'));
  it('after a block opener: multi-line', () => {
    assert.equal(newlinePolicy(at('def f(n):'), 'auto'), 'multiLine');
    assert.equal(newlinePolicy(at('function f(n) {'), 'auto'), 'multiLine');
  });
  it('an empty or indented empty line: multi-line', () => assert.equal(newlinePolicy(at('def f():\n    '), 'auto'), 'multiLine'));
  it('explicit modes win', () => {
    assert.equal(newlinePolicy(at('def f(n):'), 'singleLine'), 'singleLine');
    assert.equal(newlinePolicy(at('print(', ')'), 'multiLine'), 'multiLine');
  });
});

describe('status bar reason', () => {
  it('keeps the first clause, drops the path, caps the length', async () => {
    // The message the tokenizer loader really gives for a folder without tokenizer.json.
    const err = await loadTokenizer(mkdtempSync(join(tmpdir(), 'gw-empty-'))).catch((e: Error) => e);
    assert.ok(err instanceof Error);
    assert.equal(shortReason(err.message), 'The model folder has no tokenizer.json');
    assert.equal(shortReason('No model chosen: run "Ghostwriter: Choose Model and Temperature".'), 'No model chosen');
    assert.equal(shortReason('x'.repeat(60)).length, 48);
  });
});
