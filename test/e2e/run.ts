// `npm run test:vscode`: the offline real-VS-Code tests. Installs code-server when needed, makes
// the models, runs the integration suite in code-server's extension host, then the Chromium UI
// test. Exits non-zero on any failure. The integration suite runs twice: as configured (a model
// in the settings), then as a first run (no model, the hub stand-in, a temp Hugging Face cache).
//   --only=integration | --only=first-run | --only=ui   run one part
//   GHOSTWRITER_E2E_VERBOSE=1        echo code-server's own output
//   GHOSTWRITER_E2E_KEEP=1           keep the temp folders (user data, workspace)
//   GHOSTWRITER_SUITE_GREP=text      run only the integration tests whose title matches (the first-run
//                                    session runs only when the text says "first run")
//   GHOSTWRITER_E2E_EXTENSION_PATH   load another extension folder in the integration run
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_VAR as NET_LOG_VAR } from '../network/logVar';
import { checkEditorNetworkLog } from '../network/report';
import { ensureInstalled, repoRoot } from './codeServer';
import { prepareFixtures, runFirstRunIntegration, runIntegration, type IntegrationResult } from './runIntegration';
import { runUiTest } from './uiTest';

interface Outcome {
  readonly name: string;
  readonly passed: number;
  readonly failed: number;
  readonly seconds: number;
  readonly error?: string;
}

async function main(): Promise<number> {
  const only = /^--only=(integration|first-run|ui)$/.exec(process.argv.slice(2).find((a) => a.startsWith('--only=')) ?? '')?.[1];
  const grep = process.env.GHOSTWRITER_SUITE_GREP;
  const firstRunGrep = !!grep && /first run/i.test(grep);
  const t0 = Date.now();
  const root = repoRoot();
  for (const f of ['dist/extension.js', 'dist/inference.js', 'out/test/integration/suite/index.js']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const install = ensureInstalled(root);
  const fixtures = await prepareFixtures();
  // From here on every Node process of the run (this one, code-server, its extension host, the
  // inference process) has the test network guard: off-machine connections refused and recorded.
  // Not before: installing code-server may need the package registry.
  // The built file itself, not a bundled copy: children preload it by its path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(root, 'out', 'test', 'network', 'guard.js'));
  const netLog = process.env[NET_LOG_VAR]!;
  console.log(`[e2e] setup ${((Date.now() - t0) / 1000).toFixed(1)} s (code-server ready, models ${fixtures.config.models.tiny}, ${fixtures.config.models.tinyB})`);
  const outcomes: Outcome[] = [];
  try {
    const sessions: [string, typeof runIntegration][] = [];
    if ((!only || only === 'integration') && !firstRunGrep) sessions.push(['integration', runIntegration]);
    if ((!only || only === 'integration' || only === 'first-run') && (!grep || firstRunGrep)) sessions.push(['first-run', runFirstRunIntegration]);
    for (const [name, run] of sessions) {
      const t = Date.now();
      try {
        const r: IntegrationResult = await run(install, fixtures);
        // No result file (the suite did not load) or a non-zero exit with no failing test is a failure too.
        const passed = r.result?.passed ?? 0;
        const failed = r.result ? r.result.failed : 1;
        const error = !r.result ? 'the suite wrote no result' : r.exitCode !== 0 ? `exit code ${r.exitCode}` : undefined;
        outcomes.push({ name, passed, failed: r.exitCode !== 0 && failed === 0 ? 1 : failed, seconds: r.seconds, error });
        for (const f of r.result?.failures ?? []) console.error(`[e2e] FAILED ${f.title}\n${f.error}`);
      } catch (err) {
        outcomes.push({ name, passed: 0, failed: 1, seconds: (Date.now() - t) / 1000, error: (err as Error).message });
      }
    }
    if (!only || only === 'ui') {
      const t = Date.now();
      try {
        await runUiTest(install, fixtures.config.models.tiny, fixtures.config.models.broken);
        outcomes.push({ name: 'ui', passed: 1, failed: 0, seconds: (Date.now() - t) / 1000 });
      } catch (err) {
        outcomes.push({ name: 'ui', passed: 0, failed: 1, seconds: (Date.now() - t) / 1000, error: (err as Error).stack ?? String(err) });
      }
    }
  } finally {
    fixtures.dispose();
  }
  const t = Date.now();
  try {
    checkEditorNetworkLog(netLog, (line) => console.log(line));
    outcomes.push({ name: 'network', passed: 1, failed: 0, seconds: (Date.now() - t) / 1000 });
  } catch (err) {
    outcomes.push({ name: 'network', passed: 0, failed: 1, seconds: (Date.now() - t) / 1000, error: (err as Error).message });
  }

  for (const o of outcomes) {
    console.log(`[e2e] ${o.name}: ${o.passed} passed, ${o.failed} failed (${o.seconds.toFixed(1)} s)${o.error ? `\n  ${o.error.replace(/\n/g, '\n  ')}` : ''}`);
  }
  const passed = outcomes.reduce((n, o) => n + o.passed, 0);
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  console.log(`[e2e] ${passed} passed, ${failed} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

// Ctrl+C or a CI timeout: exit through process.exit so the 'exit' hook kills the server groups.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[e2e] ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
