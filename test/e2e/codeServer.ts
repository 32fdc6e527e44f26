// Real VS Code, offline: code-server (VS Code server + web workbench) driven by Debian's Chromium
// through playwright-core. Every run gets fresh user data, extensions and browser profile, so no
// state leaks between runs; everything started here is killed in close(), and at process exit
// as a last resort.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findRepoRoot } from '../../scripts/model/generate';

/** The folder holding package.json named "ghostwriter"; bundles run from out/, so walk up. */
export const repoRoot = findRepoRoot;

export interface Install {
  /** Node 24, which code-server needs. */
  readonly node: string;
  readonly codeServerEntry: string;
  readonly chromium: string;
}

/** Runs scripts/setup-code-server.sh (a fast no-op when installed) and returns the paths it prints. */
export function ensureInstalled(root = repoRoot()): Install {
  const script = join(root, 'scripts', 'setup-code-server.sh');
  const r = spawnSync('bash', [script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.error) throw new Error(`${script}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status ?? r.signal})`);
  const vars = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1], m[2]);
  }
  const install = { node: vars.get('NODE') ?? '', codeServerEntry: vars.get('CODE_SERVER_ENTRY') ?? '', chromium: vars.get('CHROMIUM') ?? '' };
  for (const [k, v] of Object.entries(install)) if (!v || !existsSync(v)) throw new Error(`${script} printed no usable ${k} (${v || 'nothing'})`);
  return install;
}

/** The suite's settings: the model, greedy decoding, and nothing else that pops up over ghost text or takes Tab. */
export function suiteSettings(modelPath: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'ghostwriter.modelPath': modelPath,
    'ghostwriter.temperature': 0,
    'ghostwriter.debounceMs': 10,
    'editor.suggest.enabled': false,
    'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
    'editor.suggestOnTriggerCharacters': false,
    'editor.parameterHints.enabled': false,
    'editor.wordBasedSuggestions': 'off',
    'editor.inlineSuggest.enabled': true,
    'editor.acceptSuggestionOnEnter': 'off',
    'editor.tabCompletion': 'off',
    'editor.hover.enabled': false,
    'editor.minimap.enabled': false,
    'files.hotExit': 'off',
    'files.autoSave': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    // The empty secondary side bar (the chat view's home) only crowds the screenshots.
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...extra,
  };
}

export interface StartOptions {
  readonly install: Install;
  /** Short name for temp folders and test-output/<name>/. */
  readonly name: string;
  readonly settings: Record<string, unknown>;
  /** Added to the server's environment, which the extension host inherits. */
  readonly env?: Record<string, string>;
  /** Give up when the server does not answer /healthz within this. */
  readonly startTimeoutMs?: number;
  /** A packaged extension to install into the fresh extensions folder first, as a user would. */
  readonly vsix?: string;
  /**
   * Honour the extensionTestsPath payload (code-server 4.139 needs the smoke-test driver for it).
   * The driver also suppresses notification toasts, so the UI test runs without it.
   */
  readonly smokeTestDriver?: boolean;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly tmp: string;
  readonly userDataDir: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** The `vscode-remote://` form of a server-side path, as the payload wants it. */
  remoteUri(path: string): string;
  /** Tail of the server's own output, for error messages. */
  serverLogTail(lines?: number): string;
  /** Copies the server log and the VS Code logs to test-output/<name>/ (for a failed run). */
  saveLogs(): string;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const VERBOSE = process.env.GHOSTWRITER_E2E_VERBOSE === '1';

/** test-output/<name>/; `clean` empties it first so a run never shows an older run's logs. */
export function outputDir(name: string, clean = false): string {
  const dir = join(repoRoot(), 'test-output', name);
  if (clean) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Rejects with `what` after `ms`, so a hang fails fast and says where. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${url}/healthz`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Process groups still alive; killed synchronously if this process exits without close(). */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(pgid, 'SIGTERM');
  const soft = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
  // Also SIGKILL after a clean exit: the extension host and the inference process live in the
  // same group and may outlast the server.
  killGroup(pgid, 'SIGKILL');
  if (!soft) await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  liveGroups.delete(pgid);
}

/**
 * Starts code-server in its own process group with fresh user data, waits until it answers, and
 * opens Chromium on a blank page (the caller registers page functions before navigating).
 */
/** `code-server --install-extension`: the path a user takes with the VSIX from `npm run package`. */
function installVsix(install: Install, vsix: string, extensionsDir: string, userDataDir: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(install.node, [install.codeServerEntry, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const tmp = mkdtempSync(join(tmpdir(), `ghostwriter-${opts.name}-`));
  const userDataDir = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(opts.settings, null, 2));
  // The window is a remote one: local User settings of `machine` scope (ghostwriter.modelPath)
  // are dropped once the extension's schema is registered, which races with activation, so the
  // extension's settings also go to the remote (Machine) settings. Updates with the Global
  // target then land there too, because VS Code writes to the remote file for machine-scoped
  // keys and for keys the remote file already has.
  const own = Object.fromEntries(Object.entries(opts.settings).filter(([k]) => k.startsWith('ghostwriter.')));
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(own, null, 2));
  for (const d of ['xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) mkdirSync(join(tmp, d));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Run from a VS Code terminal, VSCODE_IPC_HOOK_CLI makes code-server hand its arguments to
    // that editor instead of starting; ELECTRON_RUN_AS_NODE and friends confuse the server too.
    if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) continue;
    env[k] = v;
  }
  Object.assign(env, {
    ...opts.env,
    PATH: `${dirname(opts.install.node)}:${process.env.PATH ?? ''}`,
    // code-server writes config.yaml and state under these; keep them out of the home folder.
    XDG_CONFIG_HOME: join(tmp, 'xdg-config'),
    XDG_DATA_HOME: join(tmp, 'xdg-data'),
    XDG_CACHE_HOME: join(tmp, 'xdg-cache'),
    TMPDIR: join(tmp, 'tmp'),
  });

  if (opts.vsix) installVsix(opts.install, opts.vsix, extensionsDir, userDataDir, env);

  const args = [
    opts.install.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const serverLog = join(tmp, 'server.log');
  const logStream = createWriteStream(serverLog);
  let logTail = '';
  const child = spawn(opts.install.node, args, { cwd: tmp, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) liveGroups.add(child.pid);
  const onOutput = (chunk: Buffer) => {
    logStream.write(chunk);
    logTail = (logTail + chunk.toString()).slice(-20_000);
    if (VERBOSE) process.stderr.write(chunk.toString().replace(/^/gm, '  [code-server] '));
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (e) => resolve(`could not start: ${e.message}`));
    child.once('exit', (code, signal) => resolve(`exited (${code ?? signal})`));
  });
  const tail = (lines = 40) => logTail.split('\n').slice(-lines).join('\n');

  let browser: Browser | undefined;
  const close = async () => {
    if (browser) await withTimeout(browser.close(), 10_000, 'closing Chromium').catch(() => undefined);
    await stopServer(child);
    logStream.end();
    if (process.env.GHOSTWRITER_E2E_KEEP !== '1') rmSync(tmp, { recursive: true, force: true });
    else process.stderr.write(`kept ${tmp}\n`);
  };

  try {
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    let state: string | undefined;
    void exited.then((s) => (state = s));
    while (!(await healthy(url))) {
      if (state) throw new Error(`code-server ${state} before listening:\n${tail()}`);
      if (Date.now() > deadline) throw new Error(`code-server did not answer ${url}/healthz within ${opts.startTimeoutMs ?? 30_000} ms:\n${tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    browser = await withTimeout(
      chromium.launch({ executablePath: opts.install.chromium, headless: true, args: CHROMIUM_ARGS, env: { ...env, TMPDIR: join(tmp, 'tmp') }, timeout: 30_000 }),
      40_000,
      `launching ${opts.install.chromium}`,
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const b = browser;
    return {
      url,
      port,
      tmp,
      userDataDir,
      browser: b,
      context,
      page,
      remoteUri: (p) => `vscode-remote://127.0.0.1:${port}${p}`,
      serverLogTail: tail,
      saveLogs: () => {
        const dir = outputDir(opts.name);
        writeFileSync(join(dir, 'server.log'), logTail);
        const logs = join(userDataDir, 'logs');
        if (existsSync(logs)) cpSync(logs, join(dir, 'vscode-logs'), { recursive: true });
        return dir;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
