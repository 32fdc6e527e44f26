// Runs inside a real VS Code extension host (code-server or @vscode/test-electron) against the
// built extension and generated models; the runners prepare the models and the workspace.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionRecord, EngineStateKind, GhostwriterApi } from '../../../src/vscode/api';

/** What the runners pass in: GHOSTWRITER_SUITE_CONFIG names the JSON file (the extension host inherits the env); else suite-config.json beside this file. */
export interface SuiteConfig {
  readonly models: { readonly tiny: string; readonly tinyB: string; readonly broken: string };
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

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window must have a workspace folder open');
  return folder.uri.fsPath;
}

/** Opens (creating when needed) a workspace file with `text` and shows it with the cursor at the end. */
async function openWithText(name: string, text: string): Promise<vscode.TextEditor> {
  const file = join(workspaceDir(), name);
  writeFileSync(file, '');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
  const end = doc.positionAt(doc.getText().length);
  editor.selection = new vscode.Selection(end, end);
  return editor;
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

describe('Ghostwriter in a real VS Code', function () {
  const { config, source } = loadConfig();
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

  it('reports a broken model folder and keeps the editor working', async function () {
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.broken, temperature: 0 });
    const state = api.state();
    assert.equal(state.kind, 'error', `state ${state.kind}, wanted error`);
    assert.match(state.message ?? '', /tokenizer\.json/, `the message should name the missing file: ${state.message}`);

    const editor = await openWithText('still-works.txt', 'typed while the model is broken');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), '\nand saved'));
    assert.ok(await editor.document.save(), 'save should succeed');
    assert.equal(readFileSync(editor.document.uri.fsPath, 'utf8'), 'typed while the model is broken\nand saved');
    assert.equal(api.state().kind, 'error');
  });

  it('recovers when a good model is chosen again', async function () {
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    await expectLoaded(config.models.tiny);
    await completeAndCommit('again.js', 'let count = 0;\nfor (let i = 0; i < 10; i++) {\n  count');
  });
});
