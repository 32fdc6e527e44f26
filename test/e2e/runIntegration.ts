// Runs the integration suite (test/integration/suite) inside code-server's extension host: the
// workbench is opened with the smoke-test-driver payload naming the extension under development
// and the tests, their output comes back through window.codeAutomationLog and the exit code
// through window.codeAutomationExit. Also prepares the suite's fixtures (models, workspace),
// which the test-electron runner reuses. A second session, the first run, starts with no model
// chosen and the hub stand-in (test/unit/hubStandIn.ts) serving the tiny model under the catalog's
// repo ids (a generated qwen2 under the Qwen ones), with HF_HUB_CACHE in a temp folder.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { ensureModel, GPT2_SMALL, TINY, TINY_B, TINY_QWEN2 } from '../../scripts/model/generate';
import { CATALOG } from '../../src/core/hub/catalog';
import { HubStandIn } from '../unit/hubStandIn';
import { BLOCK_PLACES, FILL_PLACES } from '../integration/suite/fimPlaces';
import { firstScriptedFimModel } from './scriptedFimModel';
import type { SuiteConfig } from '../integration/suite/extension.test';
import type { SuiteResult } from '../integration/suite/index';
import { outputDir, repoRoot, startCodeServer, suiteSettings, VERBOSE, withTimeout, type Install } from './codeServer';

export interface Fixtures {
  readonly config: SuiteConfig;
  /** JSON of `config`, for GHOSTWRITER_SUITE_CONFIG. */
  readonly configFile: string;
  /** An empty folder the test window opens. */
  readonly workspace: string;
  /** Removes the temp folders (not the cached models). */
  dispose(): void;
}

/**
 * Generated models (cached under .cache/models), a copy of TINY without tokenizer.json, copies
 * of the gpt_bigcode (FIM) model that write known text at the suite's places, a workspace.
 */
export async function prepareFixtures(): Promise<Fixtures> {
  const [tiny, tinyB, qwen2, gpt2Small] = await Promise.all([ensureModel('tiny', TINY), ensureModel('tiny-b', TINY_B), ensureModel('tiny-qwen2', TINY_QWEN2), ensureModel('gpt2-small', GPT2_SMALL)]);
  const fill = await firstScriptedFimModel(FILL_PLACES);
  const block = await firstScriptedFimModel(BLOCK_PLACES);
  const tmp = mkdtempSync(join(tmpdir(), 'ghostwriter-fixtures-'));
  const broken = join(tmp, 'models', 'broken-no-tokenizer');
  cpSync(tiny, broken, { recursive: true });
  rmSync(join(broken, 'tokenizer.json'));
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const scripted = (s: typeof fill) => ({ model: s.dir, prefix: s.place.prefix, suffix: s.place.suffix });
  // A real JavaScript file the project did not write (mocha ships it), pasted by the latency suite.
  const pasteFile = join(repoRoot(), 'node_modules', 'mocha', 'lib', 'runner.js');
  const config: SuiteConfig = { models: { tiny, tinyB, broken, qwen2 }, fim: { fill: scripted(fill), block: scripted(block) }, latency: { gpt2Small, pasteFile } };
  const configFile = join(tmp, 'suite-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return {
    config,
    configFile,
    workspace,
    dispose: () => {
      rmSync(tmp, { recursive: true, force: true });
      fill.cleanup();
      block.cleanup();
    },
  };
}

export interface IntegrationResult {
  readonly exitCode: number;
  readonly result?: SuiteResult;
  readonly seconds: number;
}

/** Workbench chatter of every start (and the failing marketplace lookups offline); shown with GHOSTWRITER_E2E_VERBOSE=1. */
const NOISE = [
  /ENOTFOUND open-vsx\.org/,
  // The same lookups under the test network guard (test/network/guard.ts), which refuses them.
  /ECONNREFUSED open-vsx\.org/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost:remote|AccountPolicyGate)\]/,
  /^Updating additional builtin extensions cache/,
];

const SUITE_TIMEOUT_MS = Number(process.env.GHOSTWRITER_E2E_SUITE_TIMEOUT_MS ?? 5 * 60_000);

export async function runIntegration(install: Install, fixtures: Fixtures): Promise<IntegrationResult> {
  return runSession(install, fixtures.workspace, {
    name: 'integration',
    settings: suiteSettings(fixtures.config.models.tiny),
    env: { GHOSTWRITER_SUITE_CONFIG: fixtures.configFile },
  });
}

/** The token the first-run suite stores; the harness checks it never reaches a settings file. */
const SUITE_TOKEN = 'hf_ghostwriterSuiteToken0123456789';

/**
 * The first run: no model in the settings, ghostwriter.hubEndpoint at the hub stand-in (every
 * catalog repo id serves the tiny model, a qwen2 entry the generated qwen2; owner/gated needs a
 * token), HF_HUB_CACHE in a temp folder.
 */
export async function runFirstRunIntegration(install: Install, fixtures: Fixtures): Promise<IntegrationResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'ghostwriter-first-run-'));
  const standIn = await new HubStandIn({
    ...Object.fromEntries(CATALOG.map((e) => [e.repoId, { dir: e.modelType === 'qwen2' ? fixtures.config.models.qwen2 : fixtures.config.models.tiny }])),
    'owner/gated': { dir: fixtures.config.models.tiny, gated: true },
  }).start();
  try {
    const cacheRoot = join(tmp, 'hf-hub');
    const config: SuiteConfig = { ...fixtures.config, phase: 'first-run', hub: { endpoint: standIn.url, cacheRoot, gatedRepo: 'owner/gated', token: SUITE_TOKEN } };
    const configFile = join(tmp, 'suite-config.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const { ['ghostwriter.modelPath']: _none, ...settings } = suiteSettings('', { 'ghostwriter.hubEndpoint': standIn.url });
    return await runSession(install, fixtures.workspace, {
      name: 'first-run',
      settings,
      // The extension host inherits these; HF_* from the caller's shell must not redirect the test.
      env: { GHOSTWRITER_SUITE_CONFIG: configFile, HF_HUB_CACHE: cacheRoot, HF_HOME: '', HF_ENDPOINT: '', HF_TOKEN: '', HF_HUB_OFFLINE: '', GHOSTWRITER_SUITE_GREP: '' },
      afterRun: (userDataDir) => {
        const leaked = filesUnder(userDataDir).filter((f) => f.endsWith('.json') && readFileSync(f, 'utf8').includes(SUITE_TOKEN));
        if (leaked.length) throw new Error(`the Hugging Face token was written to ${leaked.join(', ')}`);
      },
    });
  } finally {
    await standIn.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...filesUnder(p));
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

interface SessionOptions {
  readonly name: string;
  readonly settings: Record<string, unknown>;
  readonly env: Record<string, string>;
  /** Checks on the user data before the server's temp folder goes (throws to fail the session). */
  readonly afterRun?: (userDataDir: string) => void;
}

async function runSession(install: Install, workspace: string, opts: SessionOptions): Promise<IntegrationResult> {
  const started = Date.now();
  const root = repoRoot();
  const extensionPath = process.env.GHOSTWRITER_E2E_EXTENSION_PATH ?? root;
  const testsPath = join(root, 'out', 'test', 'integration', 'suite', 'index.js');
  for (const p of [join(extensionPath, 'package.json'), join(extensionPath, 'dist', 'extension.js'), testsPath]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
  }
  const resultFile = join(outputDir(opts.name, true), 'result.json');

  const cs = await startCodeServer({
    smokeTestDriver: true,
    install,
    name: opts.name,
    settings: opts.settings,
    // The extension host inherits the server's environment.
    env: { ...opts.env, GHOSTWRITER_SUITE_RESULT_FILE: resultFile },
  });
  let failed = true;
  try {
    const { page } = cs;
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((r) => (resolveExit = r));
    let lastLine = '';
    // Everything the window logs arrives here, mocha's reporter (printf-style arrays) included.
    await page.exposeFunction('codeAutomationLog', (_type: unknown, args: unknown) => {
      const text = Array.isArray(args) ? format(...(args as unknown[])) : String(args);
      lastLine = text;
      if (!VERBOSE && NOISE.some((re) => re.test(text))) return;
      process.stdout.write(`${text.replace(/\s+$/, '')}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
      saveWorkbenchLogs(logs, opts.name);
      resolveExit(typeof code === 'number' ? code : 1);
    });
    page.on('crash', () => resolveExit(-1));
    page.on('pageerror', (e) => process.stderr.write(`[workbench] page error: ${e.message}\n`));

    const payload = [
      ['extensionDevelopmentPath', cs.remoteUri(extensionPath)],
      ['extensionTestsPath', cs.remoteUri(testsPath)],
    ];
    const url = `${cs.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    const code = await withTimeout(exit, SUITE_TIMEOUT_MS, `the integration suite to finish (last output: ${lastLine || 'none'})`);
    const result = readResult(resultFile);
    opts.afterRun?.(cs.userDataDir);
    failed = code !== 0;
    if (failed) {
      const shot = join(outputDir(opts.name), 'failure.png');
      await page.screenshot({ path: shot }).catch(() => undefined);
      process.stderr.write(`integration suite exited with ${code}; logs in ${cs.saveLogs()}\n`);
    }
    return { exitCode: code, result, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    await cs.page.screenshot({ path: join(outputDir(opts.name), 'failure.png') }).catch(() => undefined);
    const dir = cs.saveLogs();
    throw new Error(`${(err as Error).message}\nserver log tail:\n${cs.serverLogTail(15)}\nlogs in ${dir}`);
  } finally {
    await cs.close();
  }
}

function readResult(file: string): SuiteResult | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResult;
  } catch {
    return undefined;
  }
}

/** codeAutomationExit hands over the window's logs ({relativePath, contents}[]); keep them. */
function saveWorkbenchLogs(logs: unknown, name: string): void {
  if (!Array.isArray(logs)) return;
  const dir = join(outputDir(name), 'workbench-logs');
  rmSync(dir, { recursive: true, force: true });
  for (const entry of logs as { relativePath?: unknown; contents?: unknown }[]) {
    if (typeof entry?.relativePath !== 'string' || typeof entry.contents !== 'string') continue;
    const file = join(dir, entry.relativePath.replace(/\.\.(\/|$)/g, ''));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, entry.contents);
  }
}
