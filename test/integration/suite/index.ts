// Entry point VS Code calls in the extension host (extensionTestsPath): runs the *.test.js files
// beside this one with mocha and settles with the outcome. Used as is by @vscode/test-electron
// and by the code-server runner (test/e2e/runIntegration.ts).
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type MochaType = require('mocha');

export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

/** Printed as the last line so a runner that only sees the log can still count. */
export const RESULT_PREFIX = 'GHOSTWRITER_SUITE_RESULT ';

export function run(): Promise<void> {
  // mocha 12's main entry is ESM; Electron's Node may not require() ESM, the CJS build works everywhere.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require('mocha/lib/mocha.cjs') as typeof MochaType;
  const mocha = new Mocha({
    ui: 'bdd',
    // Model loads and first completions on a cold CPU take seconds; a hang still fails well before
    // the runner's own deadline.
    timeout: 60_000,
    slow: 5_000,
    // The output ends up in a log (or a pipe), not a terminal.
    color: false,
    reporter: 'spec',
    grep: process.env.GHOSTWRITER_SUITE_GREP || undefined,
  });
  for (const f of readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, f));

  return new Promise<void>((resolve, reject) => {
    const result: SuiteResult = { passed: 0, failed: 0, pending: 0, failures: [] };
    try {
      const runner = mocha.run((failures) => {
        const line = RESULT_PREFIX + JSON.stringify(result);
        console.log(line);
        if (process.env.GHOSTWRITER_SUITE_RESULT_FILE) writeFileSync(process.env.GHOSTWRITER_SUITE_RESULT_FILE, JSON.stringify(result, null, 2));
        if (failures > 0 || result.passed === 0) reject(new Error(`${failures} of ${result.passed + failures} tests failed${result.passed === 0 && failures === 0 ? ' (no tests ran)' : ''}`));
        else resolve();
      });
      runner.on('pass', () => result.passed++);
      runner.on('pending', () => result.pending++);
      runner.on('fail', (test, err: unknown) => {
        result.failed++;
        const e = err as { stack?: string; message?: string } | undefined;
        result.failures.push({ title: test.fullTitle(), error: String(e?.stack ?? e?.message ?? err) });
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
