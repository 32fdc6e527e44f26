// Inside a real VS Code (after extension.test.js): the per-language switch (ghostwriter.enable)
// and the snooze. No fixed sleeps: each step waits for the provider's answer or the status bar.
import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionRecord, GhostwriterApi } from '../../../src/vscode/api';
import { suite, suiteConfig as config, waitFor as waitForProbe } from './support';

const TIMEOUT_MS = 30_000;
const waitFor = <T>(what: string, probe: () => T | undefined): Promise<T> => waitForProbe(what, TIMEOUT_MS, probe);

suite('Ghostwriter per-language switch and snooze in a real VS Code', function () {
  let api: GhostwriterApi;
  const cfg = () => vscode.workspace.getConfiguration('ghostwriter');

  async function open(name: string, text: string): Promise<vscode.TextEditor> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test window must have a workspace folder open');
    const file = join(folder.uri.fsPath, name);
    if (!existsSync(file)) writeFileSync(file, '');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
    await editor.edit((b) => b.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), text));
    const end = editor.document.positionAt(editor.document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    return editor;
  }

  /**
   * Types a character at the end and triggers inline suggestions, then waits for the provider's
   * next settled answer for the editor's document. (At an unchanged document and cursor VS Code
   * does not ask the provider again: an earlier explicit request there stands.)
   */
  async function answer(editor: vscode.TextEditor, what: (r: CompletionRecord) => boolean, label: string): Promise<CompletionRecord> {
    const uri = editor.document.uri.toString();
    // Answers from now on: those not among the ones already there (the list is bounded, its length is no cursor).
    const before = new Set(api.recentCompletions());
    await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), 'x'));
    const end = editor.document.positionAt(editor.document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    return waitFor(`${label} for ${uri} (recent: ${JSON.stringify(api.recentCompletions().slice(-3))})`, () =>
      api.recentCompletions().find((r) => !before.has(r) && r.uri === uri && !r.cancelled && what(r)),
    );
  }
  const suggested = (r: CompletionRecord) => r.texts.some((t) => t.length > 0);
  const skipped = (why: 'language' | 'snoozed') => (r: CompletionRecord) => r.skipped === why;
  const statusBar = (label: string, test: (text: string) => boolean) => waitFor(`the status bar ${label} (now ${JSON.stringify(api.statusBarText())})`, () => (test(api.statusBarText()) ? true : undefined));

  before(async function () {
    api = await vscode.extensions.getExtension<GhostwriterApi>('ghostwriter.ghostwriter')!.activate();
    if (cfg().get('modelPath') !== config.models.tiny) await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    const state = await api.waitForState(['ready'], 60_000);
    assert.equal(state.kind, 'ready');
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('ghostwriter.resume');
    await cfg().update('enable', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Markdown is off by default; the toggle turns it on for that language and off again, and the status bar says so', async function () {
    assert.deepEqual(cfg().get('enable'), { '*': true, markdown: false, plaintext: false });
    const editor = await open('notes.md', '# Notes\n\nThe plan for the week is');
    await answer(editor, skipped('language'), 'an answer skipped for the language');
    await statusBar('saying suggestions are off for markdown', (t) => t.includes('off for markdown'));

    await vscode.commands.executeCommand('ghostwriter.toggleLanguage');
    assert.equal((cfg().inspect<Record<string, boolean>>('enable')?.globalValue ?? {})['markdown'], true);
    await statusBar('no longer saying off', (t) => !t.includes('off for'));
    await answer(editor, suggested, 'a suggestion once Markdown is on');

    await vscode.commands.executeCommand('ghostwriter.toggleLanguage', 'markdown');
    await answer(editor, skipped('language'), 'an answer skipped again');
    // Other languages were never touched.
    const js = await open('still-on.js', 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(');
    await answer(js, suggested, 'a suggestion in JavaScript');
  });

  it('a plain false still turns every language off, true every language on', async function () {
    await cfg().update('enable', true, vscode.ConfigurationTarget.Global);
    const md = await open('plain-true.md', 'The plan for the week is');
    await answer(md, suggested, 'a suggestion in Markdown with enable: true');
    await cfg().update('enable', false, vscode.ConfigurationTarget.Global);
    await api.waitForState(['disabled'], 10_000);
    await cfg().update('enable', undefined, vscode.ConfigurationTarget.Global);
    await api.waitForState(['ready'], 60_000);
  });

  it('snoozed: no suggestion anywhere, the status bar says until when; resumed: suggestions again', async function () {
    const editor = await open('snooze.js', 'let count = 0;\nfor (let i = 0; i < 10; i++) {\n  count');
    await answer(editor, suggested, 'a suggestion before the snooze');
    await vscode.commands.executeCommand('ghostwriter.snooze', 5);
    await statusBar('saying snoozed', (t) => /snoozed until \d\d:\d\d/.test(t));
    await answer(editor, skipped('snoozed'), 'an answer skipped while snoozed');
    await vscode.commands.executeCommand('ghostwriter.resume');
    await statusBar('no longer saying snoozed', (t) => !t.includes('snoozed'));
    await answer(editor, suggested, 'a suggestion after resuming');
  });
});
