// Runs inside a real VS Code extension host (code-server or @vscode/test-electron) against the
// built extension and generated models; the runners prepare the models and the workspace.
import * as assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionRecord, EngineState, EngineStateKind, GhostwriterApi } from '../../../src/vscode/api';

/** What the runners pass in: GHOSTWRITER_SUITE_CONFIG names the JSON file (the extension host inherits the env); else suite-config.json beside this file. */
import type { ScriptedFim } from './fimPlaces';
import { openWithText } from './support';

export interface SuiteConfig {
  readonly models: {
    readonly tiny: string;
    readonly tinyB: string;
    readonly broken: string;
    /** A generated Qwen2.5-Coder-shaped folder (the stand-in serves it under the Qwen repo ids). */
    readonly qwen2: string;
  };
  /** GPT-2-small (generated, fp32 and int8) and a real source file to paste: the latency suite's figures. */
  readonly latency?: { readonly gpt2Small: string; readonly pasteFile: string };
  /** FIM models that write known text at a place of fimPlaces.ts (test/e2e/scriptedFimModel.ts). */
  readonly fim?: { readonly fill: ScriptedFim; readonly block: ScriptedFim };
  /** 'first-run': the window starts with no model chosen, downloading from the hub stand-in (test/e2e/runIntegration.ts). */
  readonly phase?: 'first-run';
  readonly hub?: {
    /** The stand-in; GET <endpoint>/__stand-in/requests answers its request log. */
    readonly endpoint: string;
    /** HF_HUB_CACHE of the extension host. */
    readonly cacheRoot: string;
    /** A repo that answers GatedRepo without a token. */
    readonly gatedRepo: string;
    readonly token: string;
  };
}

function loadConfig(): { config: SuiteConfig; source: string } {
  const fromEnv = process.env.GHOSTWRITER_SUITE_CONFIG;
  const file = fromEnv || join(__dirname, 'suite-config.json');
  if (!existsSync(file)) throw new Error(`no suite config at ${file}: run the suite through npm run test:vscode or test:electron, which set GHOSTWRITER_SUITE_CONFIG`);
  return { config: JSON.parse(readFileSync(file, 'utf8')) as SuiteConfig, source: fromEnv ? `env GHOSTWRITER_SUITE_CONFIG=${file}` : file };
}

const EXTENSION_ID = 'ghostwriter.ghostwriter';
const LOAD_TIMEOUT_MS = 60_000;
const COMPLETION_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Non-empty, uncancelled provider answers for `uri` since the `seen`-th record. */
function answersFor(api: GhostwriterApi, uri: string, seen: number): CompletionRecord[] {
  return api.recentCompletions().slice(seen).filter((r) => r.uri === uri && !r.cancelled && r.texts.some((t) => t.length > 0));
}

/**
 * Triggers inline suggestions, waits for a non-empty answer, accepts it, and returns the text
 * that went in. The provider may be asked more than once (the edit itself can trigger it too),
 * and with a temperature above 0 the answers differ, so what went in must be one of them.
 */
async function triggerAndCommit(api: GhostwriterApi, editor: vscode.TextEditor): Promise<string> {
  const uri = editor.document.uri.toString();
  const before = editor.document.getText();
  const seen = await triggerUntilAnswered(api, editor);
  const after = await acceptUntilChanged(editor, 'editor.action.inlineSuggest.commit');
  assert.ok(after.startsWith(before), `the suggestion should go in at the end of the document:\n${after}`);
  const inserted = after.slice(before.length);
  const offered = answersFor(api, uri, seen).flatMap((r) => r.texts);
  assert.ok(offered.includes(inserted), `inserted ${JSON.stringify(inserted)}, but the provider offered ${JSON.stringify(offered)}`);
  return inserted;
}

/** Triggers inline suggestions and waits for a non-empty answer; returns the record count before it. */
async function triggerUntilAnswered(api: GhostwriterApi, editor: vscode.TextEditor): Promise<number> {
  const uri = editor.document.uri.toString();
  const seen = api.recentCompletions().length;
  await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  await waitFor(`a non-empty completion for ${uri} (recent: ${JSON.stringify(api.recentCompletions().slice(-3))})`, COMPLETION_TIMEOUT_MS, () =>
    answersFor(api, uri, seen)[0],
  );
  return seen;
}

/** The widget shows the answer a moment after the provider returns: run the accept command until the text lands. */
function acceptUntilChanged(editor: vscode.TextEditor, command: string): Promise<string> {
  const before = editor.document.getText();
  return waitFor(`${command} to change the document`, 10_000, async () => {
    await vscode.commands.executeCommand(command);
    const now = editor.document.getText();
    if (now !== before) return now;
    await sleep(150);
    return undefined;
  });
}

const { config, source } = loadConfig();
type SuiteFn = (title: string, fn: (this: Mocha.Suite) => void) => void;
/** Each session runs one of the two suites below. */
const mainSuite: SuiteFn = config.phase === 'first-run' ? () => undefined : describe;
const firstRunSuite: SuiteFn = config.phase === 'first-run' ? describe : () => undefined;

mainSuite('Ghostwriter in a real VS Code', function () {
  let api: GhostwriterApi;

  async function expectLoaded(modelPath: string, kinds: readonly EngineStateKind[] = ['ready']): Promise<void> {
    const state = await api.waitForState(['ready', 'error', 'disabled'], LOAD_TIMEOUT_MS);
    assert.ok(kinds.includes(state.kind), `state ${state.kind}${state.message ? `: ${state.message}` : ''}, wanted ${kinds.join('|')}`);
    assert.equal(state.modelName, basename(modelPath));
  }

  async function completeAndCommit(name: string, text: string): Promise<void> {
    const editor = await openWithText(name, text);
    const inserted = await triggerAndCommit(api, editor);
    assert.ok(inserted.length > 0);
    assert.equal(editor.document.getText(), text + inserted);
  }

  before(async function () {
    console.log(`suite config from ${source}; VS Code ${vscode.version}, uiKind ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}, remote ${vscode.env.remoteName ?? 'none'}`);
    const ext = vscode.extensions.getExtension<GhostwriterApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this window`);
    api = await ext.activate();
    assert.ok(api && typeof api.state === 'function', 'activate() should return the Ghostwriter API');
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('activates and loads the model from the settings', async function () {
    assert.equal(vscode.workspace.getConfiguration('ghostwriter').get('modelPath'), config.models.tiny);
    await expectLoaded(config.models.tiny);
  });

  it('answers an explicit trigger with ghost text that commit inserts', async function () {
    await completeAndCommit('complete.js', 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(');
  });

  it('accepts a suggestion word by word', async function () {
    const editor = await openWithText('words.js', 'const total = compute');
    const before = editor.document.getText();
    const seen = await triggerUntilAnswered(api, editor);
    const suggestion = answersFor(api, editor.document.uri.toString(), seen)[0].texts[0];
    const after = await acceptUntilChanged(editor, 'editor.action.inlineSuggest.acceptNextWord');
    const accepted = after.slice(before.length);
    assert.ok(after.startsWith(before));
    assert.ok(suggestion.startsWith(accepted), `accepted ${JSON.stringify(accepted)} is not a prefix of ${JSON.stringify(suggestion)}`);
    assert.ok(accepted.length > 0 && accepted.length < suggestion.length, `one word of ${JSON.stringify(suggestion)}, got ${JSON.stringify(accepted)}`);
  });

  it('after a one-character edit the suggestion comes from the KV cache (the log counts cached prompt tokens)', async function () {
    const editor = await openWithText('cached.js', 'function area(width, height) {\n  return width * height;\n}\n\nconst size = area');
    await triggerUntilAnswered(api, editor);
    await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), 'Z'));
    const lines = api.recentLog().length;
    await triggerUntilAnswered(api, editor);
    const counted = await waitFor('a per-request log line after the edit', 10_000, () =>
      api.recentLog().slice(lines).map((l) => /cached\.js: (\d+) prompt tokens \((\d+) cached\)/.exec(l)).filter(Boolean).pop() ?? undefined,
    );
    const [prompt, cached] = [Number(counted[1]), Number(counted[2])];
    assert.ok(cached > 0 && cached >= prompt - 3, `${cached} of ${prompt} prompt tokens from the cache`);
  });

  it('gives the model a snippet of another open editor of the same language (ghostwriter.extraContext), and none when it is off', async function () {
    const promptLines = (from: number) => api.recentLog().slice(from).filter((l) => /prompt \d+ tokens/.test(l));
    const helper = await openWithText('helper.js', 'function scale(value, factor) {\n  return value * factor;\n}\n');
    // The snippet is taken around the helper's cursor.
    helper.selection = new vscode.Selection(new vscode.Position(1, 2), new vscode.Position(1, 2));
    const editor = await openWithText('uses-helper.js', 'const doubled = scale(');
    let from = api.recentLog().length;
    await triggerUntilAnswered(api, editor);
    const seen = from;
    await waitFor('a prompt with extra context in the log', 10_000, () => promptLines(seen).find((l) => /of extra context from \d+ snippets/.test(l))).catch((err: Error) => {
      throw new Error(`${err.message}; the prompts logged: ${JSON.stringify(promptLines(seen))}`);
    });
    const settings = vscode.workspace.getConfiguration('ghostwriter');
    await settings.update('extraContext', false, vscode.ConfigurationTarget.Global);
    try {
      await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), '2'));
      from = api.recentLog().length;
      await triggerUntilAnswered(api, editor);
      const lines = await waitFor('a prompt log line', 10_000, () => (promptLines(from).length > 0 ? promptLines(from) : undefined));
      assert.ok(lines.every((l) => !l.includes('extra context')), lines.join('\n'));
    } finally {
      await settings.update('extraContext', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('typing the first characters of a shown suggestion keeps showing the rest of that same suggestion', async function () {
    // Auto-closing would add text after the cursor that the suggestion did not predict.
    const editorConfig = vscode.workspace.getConfiguration('editor');
    await editorConfig.update('autoClosingBrackets', 'never', vscode.ConfigurationTarget.Global);
    await editorConfig.update('autoClosingQuotes', 'never', vscode.ConfigurationTarget.Global);
    const editor = await openWithText('typed.js', 'let count = 0;\nfor (let i = 0; i < 10; i++) {\n  count');
    const uri = editor.document.uri.toString();
    const seen = await triggerUntilAnswered(api, editor);
    const shown = answersFor(api, uri, seen)[0].texts[0];
    assert.ok(shown.length >= 3, `a suggestion to type into: ${JSON.stringify(shown)}`);
    const before = editor.document.getText();
    for (let k = 1; k <= 2; k++) {
      const at = api.recentCompletions().length;
      await vscode.commands.executeCommand('type', { text: shown[k - 1] });
      const next = await waitFor(`an answer after typing ${JSON.stringify(shown.slice(0, k))}`, COMPLETION_TIMEOUT_MS, () =>
        api.recentCompletions().slice(at).find((r) => r.uri === uri && !r.cancelled),
      );
      assert.equal(next.source, 'typed-ahead', JSON.stringify(next));
      assert.deepEqual(next.texts, [shown.slice(k)], 'the rest of the same suggestion, not a new one');
    }
    const after = await acceptUntilChanged(editor, 'editor.action.inlineSuggest.commit');
    assert.equal(after, before + shown, 'accepting puts in exactly the suggestion first shown');
  });

  it('switches model and temperature through ghostwriter.chooseModel', async function () {
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tinyB, temperature: 0.7 });
    await expectLoaded(config.models.tinyB);
    const cfg = vscode.workspace.getConfiguration('ghostwriter');
    assert.equal(cfg.inspect('modelPath')?.globalValue, config.models.tinyB);
    assert.equal(cfg.inspect('temperature')?.globalValue, 0.7);
    assert.equal(cfg.get('modelPath'), config.models.tinyB);
    assert.equal(cfg.get('temperature'), 0.7);
    await completeAndCommit('sampled.py', 'import os\n\ndef main():\n    path = os.');
  });

  it('reports a broken model folder, keeps serving the model that was loaded, and keeps the editor working', async function () {
    // The previous test's last request may still be running: its model is what serves.
    const before = await api.waitForState(['ready'], LOAD_TIMEOUT_MS);
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.broken, temperature: 0 });
    const state = api.state();
    assert.ok(state.kind === 'ready' || state.kind === 'generating', `state ${state.kind}: ${state.message}`);
    assert.equal(state.modelName, before.modelName, 'the model that was serving');
    assert.equal(state.failedModel, basename(config.models.broken));
    assert.match(state.message ?? '', /tokenizer\.json/, `the message should name the missing file: ${state.message}`);
    assert.match(api.statusBarText(), /no tokenizer\.json/, api.statusBarText());
    await completeAndCommit('served-anyway.js', 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(');

    const editor = await openWithText('still-works.txt', 'typed while the model is broken');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), '\nand saved'));
    assert.ok(await editor.document.save(), 'save should succeed');
    assert.equal(readFileSync(editor.document.uri.fsPath, 'utf8'), 'typed while the model is broken\nand saved');
    assert.equal(api.state().failedModel, basename(config.models.broken));
  });

  it('recovers when a good model is chosen again', async function () {
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    await expectLoaded(config.models.tiny);
    await completeAndCommit('again.js', 'let count = 0;\nfor (let i = 0; i < 10; i++) {\n  count');
  });

  it('executionProvider cuda on a machine without a GPU ends on the CPU with the reason in the state', async function () {
    assert.ok((await vscode.commands.getCommands(true)).includes('ghostwriter.enableGpu'), 'Enable GPU (CUDA) is registered');
    const cfg = () => vscode.workspace.getConfiguration('ghostwriter');
    const settled = (cuda: boolean) =>
      waitFor(`a load with executionProvider ${cuda ? 'cuda' : 'auto'}`, LOAD_TIMEOUT_MS, () => {
        const s = api.state();
        return s.kind === 'ready' && Boolean(s.cudaRequested) === cuda && s.fallbackReason !== undefined ? s : s.kind === 'error' ? s : undefined;
      });
    try {
      await cfg().update('executionProvider', 'cuda', vscode.ConfigurationTarget.Global);
      const state = await settled(true);
      assert.equal(state.kind, 'ready', state.message);
      if (state.provider === 'cuda') return; // a machine with a working GPU: nothing to fall back from
      assert.equal(state.provider, 'cpu');
      assert.match(state.fallbackReason ?? '', /^CUDA is not available: /);
      // This suite's machine has no CUDA provider libraries (.npmrc skips onnxruntime-node's download).
      assert.equal(state.fallbackKind, 'no-provider-libraries', state.fallbackReason);
      assert.ok(api.recentLog().some((l) => /^warn .*CUDA is not available: .*running on the CPU/.test(l)), 'the log says why');
      await completeAndCommit('on-cpu.js', 'function add(a, b) {\n  return a + b;\n}\n\nconst sum = add(');
    } finally {
      await cfg().update('executionProvider', undefined, vscode.ConfigurationTarget.Global);
    }
    const auto = await settled(false);
    assert.equal(auto.kind, 'ready', auto.message);
    assert.equal(auto.cudaRequested, false);
  });
});

firstRunSuite('Ghostwriter first run in a real VS Code, against the hub stand-in', function () {
  const hub = config.hub!;
  let api: GhostwriterApi;
  let repoId = '';

  /** What the stand-in has been asked (it answers its log on a route it does not count). */
  async function standInLog(): Promise<{ count: number; requests: { url: string; authorization: boolean }[] }> {
    const res = await fetch(`${hub.endpoint}/__stand-in/requests`);
    return (await res.json()) as { count: number; requests: { url: string; authorization: boolean }[] };
  }

  before(async function () {
    console.log(`first-run suite: hub stand-in ${hub.endpoint}, HF_HUB_CACHE ${process.env.HF_HUB_CACHE}`);
    assert.equal(process.env.HF_HUB_CACHE, hub.cacheRoot, 'the extension host should see the harness\'s HF_HUB_CACHE');
    const ext = vscode.extensions.getExtension<GhostwriterApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this window`);
    api = await ext.activate();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('with no model chosen, offers the recommended catalog model once, in one notification, and downloads nothing yet', async function () {
    assert.equal(vscode.workspace.getConfiguration('ghostwriter').get('modelPath'), '');
    const state = await api.waitForState(['disabled', 'ready', 'error'], LOAD_TIMEOUT_MS);
    assert.equal(state.kind, 'disabled', `state ${state.kind}: ${state.message}`);
    const offer = await waitFor('the first-run offer', 10_000, () => api.offers()[0]);
    console.log(`first-run offer: ${offer.message}`);
    // Which entry depends on this machine's cores and free memory; the offer says which and why.
    assert.match(offer.message, /^Ghostwriter: Download \S+\/\S+ \((int8|fp16), (about )?[\d.]+ [MG]B\) and start\? Recommended for this machine \((a GPU|no GPU), \d+ cores?, [\d.]+ [kMG]?B free: .+\)\.$/);
    assert.deepEqual(offer.actions, ['Download', 'Choose another…', 'Not now']);
    assert.equal(offer.accept.command, 'ghostwriter.downloadModel');
    repoId = (offer.accept.args[0] as { repoId: string }).repoId;
    assert.ok(offer.message.includes(repoId));
    assert.equal(api.offers().length, 1, 'offered once');
    assert.equal((await standInLog()).count, 0, 'nothing is asked of the hub before the user accepts');
  });

  it('one click downloads with progress into the Hugging Face cache layout and ends with ghost text, without a window reload', async function () {
    const offer = api.offers()[0];
    const state = await vscode.commands.executeCommand<EngineState | undefined>(offer.accept.command, ...offer.accept.args);
    assert.equal(state?.kind, 'ready', `state ${state?.kind}: ${state?.message}`);
    assert.equal(state?.modelName, repoId, 'the status bar names the repo, not the snapshot commit');
    const cfg = vscode.workspace.getConfiguration('ghostwriter');
    assert.equal(cfg.get('modelPath'), repoId);
    assert.equal(cfg.get('modelFile'), 'quantized');

    const downloads = api.downloads();
    assert.equal(downloads.length, 1);
    const d = downloads[0];
    assert.equal(d.repoId, repoId);
    assert.equal(d.outcome, 'done');
    assert.ok(d.reports > 0 && d.total > 0 && d.bytes === d.total, JSON.stringify(d));

    // refs/main → the commit; snapshots/<commit>/<path> are relative symlinks into blobs/; only the variant's files.
    const repoDir = join(hub.cacheRoot, `models--${repoId.replace('/', '--')}`);
    const commit = readFileSync(join(repoDir, 'refs', 'main'), 'utf8').trim();
    assert.match(commit, /^[0-9a-f]{40}$/);
    const snapshot = join(repoDir, 'snapshots', commit);
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
      const path = join(snapshot, file);
      assert.ok(lstatSync(path).isSymbolicLink(), `${file} is a symlink`);
      const target = readlinkSync(path);
      assert.ok(!target.startsWith('/') && target.includes('blobs/'), `${file} → ${target}`);
      assert.equal(dirname(resolve(dirname(path), target)), join(repoDir, 'blobs'));
    }
    assert.ok(!existsSync(join(snapshot, 'onnx', 'model.onnx')), 'the fp32 file was not downloaded');
    assert.ok(!readdirSync(join(repoDir, 'blobs')).some((n) => n.endsWith('.incomplete')));

    const text = 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(';
    const editor = await openWithText('first-run.js', text);
    const inserted = await triggerAndCommit(api, editor);
    assert.ok(inserted.length > 0);
    assert.equal(editor.document.getText(), text + inserted);
  });

  it('a second start loads the model from the cache with no network request', async function () {
    const before = (await standInLog()).count;
    assert.ok(before > 0);
    const state = await vscode.commands.executeCommand<EngineState>('ghostwriter.reloadModel');
    assert.equal(state.kind, 'ready', `state ${state.kind}: ${state.message}`);
    assert.equal(state.modelName, repoId);
    assert.equal((await standInLog()).count, before, 'no request to the hub');
    assert.equal(api.downloads().length, 1, 'no second download');
  });

  it('Choose Model lists each entry with the languages it knows; a Qwen repo id loads as qwen2 and completes with Qwen\'s FIM prompt', async function () {
    const shown = vscode.commands.executeCommand<EngineState | undefined>('ghostwriter.chooseModel');
    const pick = await waitFor('the Choose Model list', 10_000, () => api.picks().find((p) => p.title === 'Ghostwriter: Choose Model'));
    let closed = false;
    void shown.then(() => (closed = true));
    await waitFor('the list to close', 10_000, async () => {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return closed || undefined;
    });
    assert.equal(await shown, undefined, 'dismissed: nothing chosen');
    const detail = (id: string) => pick.items.find((i) => i.label === id)?.detail ?? `(${id} is not listed)`;
    assert.match(detail('onnx-community/Qwen2.5-Coder-0.5B-Instruct'), /^494M parameters · many programming languages \(JavaScript, TypeScript, Python/);
    assert.match(detail('onnx-community/Qwen2.5-Coder-1.5B'), /^1\.54B parameters · many programming languages/);
    assert.match(detail('Xenova/deepseek-coder-1.3b-base'), /87 programming languages/);
    assert.match(detail('Xenova/starcoderbase-1b'), /80\+ programming languages/);
    assert.match(detail('Xenova/tiny_starcoder_py'), /· Python only ·/);
    assert.match(detail('Xenova/codegen-350M-mono'), /· Python only ·/);

    const repo = 'onnx-community/Qwen2.5-Coder-0.5B-Instruct';
    const logFrom = api.recentLog().length;
    const state = await vscode.commands.executeCommand<EngineState>('ghostwriter.chooseModel', { modelPath: repo, temperature: 0, modelFile: 'quantized' });
    assert.equal(state?.kind, 'ready', `state ${state?.kind}: ${state?.message}`);
    assert.equal(state.modelName, repo);
    await waitFor('the load saying it uses Qwen\'s FIM tokens', 10_000, () => api.recentLog().slice(logFrom).find((l) => /fill-in-the-middle with Qwen2\.5-Coder's tokens/.test(l)));

    const editor = await openWithText('qwen-fim.js', 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(');
    const cursor = editor.selection.active;
    await editor.edit((b) => b.insert(cursor, ');\nconsole.log(total);\n'));
    editor.selection = new vscode.Selection(cursor, cursor);
    const asked = api.recentLog().length;
    await triggerUntilAnswered(api, editor);
    await waitFor('a FIM prompt in the log', 10_000, () => api.recentLog().slice(asked).find((l) => /prompt \d+ tokens.*\(FIM, \d+ of suffix/.test(l)));
  });

  it('a gated repo says a token is needed; the stored token is sent to the hub and never shows in the settings or the log', async function () {
    const denied = await vscode.commands.executeCommand<EngineState>('ghostwriter.chooseModel', { modelPath: hub.gatedRepo, temperature: 0 });
    assert.equal(denied?.kind, 'error');
    assert.equal(denied.errorCode, 'hub-unauthorized');
    assert.match(denied.message ?? '', /token/i);
    const before = (await standInLog()).count;
    const state = await vscode.commands.executeCommand<EngineState | undefined>('ghostwriter.setHubToken', hub.token);
    assert.equal(state?.kind, 'ready', `state ${state?.kind}: ${state?.message}`);
    assert.equal(state?.modelName, hub.gatedRepo);
    const after = await standInLog();
    assert.ok(after.requests.slice(before).some((r) => r.authorization), 'the token went to the hub');
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('ghostwriter')).includes(hub.token), 'not in the settings');
    assert.ok(!api.recentLog().some((l) => l.includes(hub.token)), 'not in the log');
    await vscode.commands.executeCommand('ghostwriter.clearHubToken');
  });
});
