// `npm run test:electron`: the same integration suite in desktop VS Code (Electron) through
// @vscode/test-electron, which downloads VS Code into .vscode-test/ on first use, so this needs
// network. Offline, `npm run test:vscode` runs the suite in code-server instead.
//   VSCODE_TEST_VERSION   VS Code version to download (default: stable)
//   VSCODE_EXECUTABLE     an installed VS Code binary to use instead of downloading
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { outputDir, repoRoot, suiteSettings } from '../e2e/codeServer';
import { prepareFixtures } from '../e2e/runIntegration';
import type { SuiteResult } from './suite/index';

async function main(): Promise<number> {
  const root = repoRoot();
  const testsPath = join(root, 'out', 'test', 'integration', 'suite', 'index.js');
  for (const p of [join(root, 'dist', 'extension.js'), testsPath]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
  }
  const fixtures = await prepareFixtures();
  const tmp = mkdtempSync(join(tmpdir(), 'ghostwriter-electron-'));
  try {
    // A fresh profile per run; in desktop VS Code the User settings hold machine-scoped keys too.
    const userDataDir = join(tmp, 'user-data');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(suiteSettings(fixtures.config.models.tiny), null, 2));
    const resultFile = join(outputDir('electron', true), 'result.json');

    const t0 = Date.now();
    let code: number;
    try {
      code = await runTests({
        version: process.env.VSCODE_TEST_VERSION || undefined,
        vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
        extensionDevelopmentPath: root,
        extensionTestsPath: testsPath,
        extensionTestsEnv: { GHOSTWRITER_SUITE_CONFIG: fixtures.configFile, GHOSTWRITER_SUITE_RESULT_FILE: resultFile },
        launchArgs: [
          fixtures.workspace,
          `--user-data-dir=${userDataDir}`,
          `--extensions-dir=${join(tmp, 'extensions')}`,
          // Only the extension under test: built-in ones would slow the start and log noise.
          '--disable-extensions',
          '--disable-gpu',
          '--disable-telemetry',
        ],
      });
    } catch (err) {
      // runTests rejects on a non-zero exit (TestRunFailedError) and when the download fails.
      const e = err as { code?: number; message?: string };
      if (typeof e.code !== 'number') throw err;
      code = e.code;
    }
    const result = readResult(resultFile);
    const passed = result?.passed ?? 0;
    const failed = result?.failed ?? (code === 0 ? 0 : 1);
    console.log(`[electron] ${passed} passed, ${failed} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s (exit ${code})`);
    return code !== 0 || failed > 0 || passed === 0 ? 1 : 0;
  } finally {
    fixtures.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function readResult(file: string): SuiteResult | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResult;
  } catch {
    return undefined;
  }
}

/** Electron needs a display; on a headless Linux box re-run under xvfb-run when there is one. */
function needsXvfb(): boolean {
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.env.GHOSTWRITER_UNDER_XVFB) return false;
  return spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;
}

if (needsXvfb()) {
  const r = spawnSync('xvfb-run', ['-a', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, GHOSTWRITER_UNDER_XVFB: '1' } });
  process.exit(r.status ?? 1);
} else {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.warn('[electron] no DISPLAY and no xvfb-run: VS Code may fail to start (apt-get install xvfb, or run under xvfb-run -a)');
  }
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[electron] ${(err as Error).stack ?? err}`);
      process.exit(1);
    },
  );
}
