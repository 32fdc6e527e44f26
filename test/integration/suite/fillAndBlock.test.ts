// Inside a real VS Code, with a generated FIM model: a suggestion that fills in the middle of a
// line before `)` and more text, and a block that follows a header typed at the end of a line,
// each accepted with the inline-suggestion commit (what Tab runs) and the document checked. The
// models are copies of the generated gpt_bigcode model whose tokenizer makes them write known
// text at these places (test/e2e/scriptedFimModel.ts): what is shown is then the rules' doing.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GhostwriterApi } from '../../../src/vscode/api';
import { configFile, suite, suiteConfig as config, waitFor } from './support';

suite('Ghostwriter fills in lines and follows blocks with a FIM model', function () {
  let api: GhostwriterApi;
  const cfg = () => vscode.workspace.getConfiguration('ghostwriter');

  before(async function () {
    assert.ok(config.fim, `the runner makes the scripted FIM models (${configFile})`);
    api = await vscode.extensions.getExtension<GhostwriterApi>('ghostwriter.ghostwriter')!.activate();
    // The model's prompt must be the document alone, as the runner scripted it: no snippets of other editors.
    await cfg().update('extraContext', false, vscode.ConfigurationTarget.Global);
    // The file the runner scripted (on the CPU 'auto' would load the int8 one, whose picks differ).
    await cfg().update('modelFile', 'fp32', vscode.ConfigurationTarget.Global);
  });

  after(async function () {
    await cfg().update('extraContext', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('modelFile', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    await api.waitForState(['ready'], 60_000);
  });

  /** Loads `model` greedy, opens `name` holding prefix+suffix with the cursor between, triggers, waits for `expected`, accepts it; the document after. */
  async function acceptAt(place: { model: string; prefix: string; suffix: string }, name: string, expected: string): Promise<string> {
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: place.model, temperature: 0 });
    assert.equal((await api.waitForState(['ready'], 60_000)).kind, 'ready');
    const file = join(vscode.workspace.workspaceFolders![0].uri.fsPath, name);
    writeFileSync(file, '');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), place.prefix + place.suffix));
    const cursor = editor.document.positionAt(place.prefix.length);
    editor.selection = new vscode.Selection(cursor, cursor);
    const uri = editor.document.uri.toString();
    const before = new Set(api.recentCompletions());
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await waitFor(`the suggestion ${JSON.stringify(expected)} for ${name} (recent: ${JSON.stringify(api.recentCompletions().slice(-3))})`, 30_000, () =>
      api.recentCompletions().find((r) => !before.has(r) && r.uri === uri && !r.cancelled && r.texts[0] === expected),
    );
    const text = editor.document.getText();
    // The ghost text may not be on screen yet when the answer is: Tab again until the document changes.
    return waitFor('the commit (Tab) to change the document', 10_000, async () => {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      const now = editor.document.getText();
      return now !== text ? now : undefined;
    });
  }

  it('mid-line before `)` and more text: one line fills the call, its own `)` cut, the rest of the line kept', async function () {
    const p = config.fim!.fill;
    // The model writes `items[0]) * 2` then a line break: the rest closes the call, so the suggestion ends before the model's `)`.
    const after = await acceptAt(p, 'fill.py', 'items[0]');
    assert.equal(after, `${p.prefix}items[0]${p.suffix}`);
    assert.match(after, /^total = \w+\(items\[0\]\) \+ offset$/);
  });

  it('a header at the end of a line: the block the model opens follows it, ending where its braces balance', async function () {
    const p = config.fim!.block;
    // The model writes ` {`, a line break, `\ta: 1 };`, a blank line: not only `{`, and nothing after the block.
    const after = await acceptAt(p, 'block.js', '{\n\ta: 1 };');
    assert.equal(after, `${p.prefix}{\n\ta: 1 };`);
  });
});
