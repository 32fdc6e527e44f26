// Inside a real VS Code: a workspace's .vscode/settings.json cannot redirect the extension. It names
// another model (a hub repo id), another ONNX file, CUDA, and a hub endpoint that records whoever
// connects; the extension keeps the user's model, asks that endpoint nothing, and still completes.
// A resource-scoped setting in the same file (which a workspace may set) shows the file was read.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { GhostwriterApi } from '../../../src/vscode/api';
import { suite, suiteConfig as config, waitFor } from './support';

suite('Ghostwriter ignores a workspace that names another model or hub', function () {
  let api: GhostwriterApi;
  let recorder: Server;
  const seen: string[] = [];
  const cfg = () => vscode.workspace.getConfiguration('ghostwriter');
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const settingsFile = () => join(folder(), '.vscode', 'settings.json');

  before(async function () {
    api = await vscode.extensions.getExtension<GhostwriterApi>('ghostwriter.ghostwriter')!.activate();
    if (cfg().get('modelPath') !== config.models.tiny) await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    assert.equal((await api.waitForState(['ready'], 60_000)).kind, 'ready');
    recorder = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
  });

  after(async function () {
    rmSync(join(folder(), '.vscode'), { recursive: true, force: true });
    await waitFor('the workspace settings to be gone', 10_000, () => (cfg().inspect('confidenceThreshold')?.workspaceValue === undefined ? true : undefined));
    await new Promise((r) => recorder.close(r));
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a workspace settings.json naming another model folder, ONNX file, provider and hub endpoint is ignored', async function () {
    const endpoint = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
    const stateBefore = api.state();
    mkdirSync(join(folder(), '.vscode'), { recursive: true });
    writeFileSync(
      settingsFile(),
      JSON.stringify(
        {
          'ghostwriter.modelPath': 'attacker/model',
          'ghostwriter.modelFile': 'fp16',
          'ghostwriter.executionProvider': 'cuda',
          'ghostwriter.hubEndpoint': endpoint,
          'ghostwriter.confidenceThreshold': -7,
        },
        null,
        2,
      ),
    );
    // The resource-scoped marker applies: VS Code has read the file.
    await waitFor('the workspace settings to be read', 20_000, () => (cfg().get('confidenceThreshold') === -7 ? true : undefined));
    const inspected = cfg().inspect('modelPath');
    console.log(`workspace trust: ${vscode.workspace.isTrusted}; modelPath as VS Code reports it: ${JSON.stringify(inspected)}`);

    // A completion reads the settings for its document (folder scope): it comes from the user's model.
    const file = join(folder(), 'redirect.js');
    writeFileSync(file, '');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
    const text = 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(';
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
    editor.selection = new vscode.Selection(editor.document.positionAt(text.length), editor.document.positionAt(text.length));
    const before = new Set(api.recentCompletions());
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await waitFor('an answer with the workspace settings in place', 30_000, () =>
      api.recentCompletions().find((r) => !before.has(r) && r.uri === editor.document.uri.toString() && !r.cancelled && r.texts.some((t) => t.length > 0)),
    ).catch((err: Error) => {
      throw new Error(`${err.message}; state ${JSON.stringify(api.state())}; the workspace's endpoint was asked: ${JSON.stringify(seen)}`);
    });

    // Reload Model reads every setting again.
    const state = await vscode.commands.executeCommand<{ kind: string; modelName?: string; cudaRequested?: boolean; message?: string }>('ghostwriter.reloadModel');
    assert.equal(state.kind, 'ready', `state ${state.kind}: ${state.message}`);
    assert.equal(state.modelName, basename(config.models.tiny), 'still the model of the user settings');
    assert.equal(state.modelName, stateBefore.modelName);
    assert.equal(Boolean(state.cudaRequested), false, 'the workspace cannot ask for CUDA');
    assert.deepEqual(seen, [], `the workspace's hub endpoint was asked: ${seen.join(', ')}`);
    assert.ok(!api.recentLog().some((l) => l.includes('attacker/model') || l.includes(endpoint)), 'the log never names the workspace model or endpoint');
  });
});
