// Inside a real VS Code: an explicit trigger offers several candidates (ghostwriter.alternatives)
// as separate inline items, and VS Code's Show Next Inline Suggestion cycles to another one.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GhostwriterApi } from '../../../src/vscode/api';
import { suite, suiteConfig as config, waitFor } from './support';

suite('Ghostwriter alternatives in a real VS Code', function () {
  let api: GhostwriterApi;
  const cfg = () => vscode.workspace.getConfiguration('ghostwriter');

  before(async function () {
    api = await vscode.extensions.getExtension<GhostwriterApi>('ghostwriter.ghostwriter')!.activate();
    if (cfg().get('modelPath') !== config.models.tiny) await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    assert.equal((await api.waitForState(['ready'], 60_000)).kind, 'ready');
    await cfg().update('temperature', 0.9, vscode.ConfigurationTarget.Global);
  });

  after(async function () {
    await cfg().update('temperature', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('an explicit trigger answers with several sampled candidates; Show Next cycles to another, commit inserts it', async function () {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = join(folder, 'alternatives.js');
    writeFileSync(file, '');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
    const text = 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(';
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
    const end = editor.document.positionAt(text.length);
    editor.selection = new vscode.Selection(end, end);
    const uri = editor.document.uri.toString();
    // Answers from now on: those not among the ones already there (the list is bounded, its length is no cursor).
    const before = new Set(api.recentCompletions());
    const fresh = () => api.recentCompletions().filter((r) => !before.has(r) && r.uri === uri);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const answer = await waitFor(`several candidates for ${uri} (recent: ${JSON.stringify(api.recentCompletions().slice(-3))})`, 30_000, () =>
      fresh().find((r) => !r.cancelled && r.texts.filter((t) => t.length > 0).length >= 2),
    );
    assert.ok(answer.texts.length <= 3, `at most ghostwriter.alternatives (3): ${JSON.stringify(answer.texts)}`);
    assert.equal(new Set(answer.texts).size, answer.texts.length, 'no candidate twice');
    const inserted = await waitFor('Show Next, then commit, to change the document', 10_000, async () => {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.showNext');
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      const now = editor.document.getText();
      return now !== text ? now.slice(text.length) : undefined;
    });
    const offered = fresh().flatMap((r) => r.texts);
    assert.ok(offered.includes(inserted), `inserted ${JSON.stringify(inserted)}, offered ${JSON.stringify(offered)}`);
    assert.notEqual(inserted, answer.texts[0], 'Show Next moved off the first candidate');
  });
});
