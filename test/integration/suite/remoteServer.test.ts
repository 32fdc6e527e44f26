// Inside a real VS Code, suggestions from a completion server: a llama.cpp stand-in on 127.0.0.1
// (test/standins/server.ts, started here in the extension host) answers /infill; a workspace
// settings.json naming another endpoint is ignored; the server goes down mid-session and the local
// model answers, the status bar saying so; it comes back and answers again.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GhostwriterApi } from '../../../src/vscode/api';
import { StandInServer } from '../../standins/server';
import { suite, suiteConfig as config, waitFor } from './support';

const REMOTE = 'remote_answer(1)';

suite('Ghostwriter with a completion server (llama.cpp stand-in)', function () {
  let api: GhostwriterApi;
  let server: StandInServer;
  let port = 0;
  let recorder: Server;
  const seen: string[] = [];
  const cfg = () => vscode.workspace.getConfiguration('ghostwriter');
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async function () {
    api = await vscode.extensions.getExtension<GhostwriterApi>('ghostwriter.ghostwriter')!.activate();
    // The local model is the fallback.
    if (cfg().get('modelPath') !== config.models.tiny) await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    assert.equal((await api.waitForState(['ready'], 60_000)).kind, 'ready');
    server = new StandInServer({ dialect: 'llama.cpp', tokens: () => ['remote', '_answer', '(1)', '\n', 'never shown'] });
    port = Number(new URL(await server.start()).port);
    recorder = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    await cfg().update('serverEndpoint', server.url, vscode.ConfigurationTarget.Global);
    await cfg().update('serverBackend', 'llama.cpp', vscode.ConfigurationTarget.Global);
    await waitFor('the server to answer its health probe', 20_000, () => (api.serverRoute().route === 'server' ? true : undefined));
  });

  after(async function () {
    rmSync(join(folder(), '.vscode'), { recursive: true, force: true });
    await cfg().update('serverModel', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('serverBackend', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('serverEndpoint', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('no server', 10_000, () => (api.serverRoute().route === 'local' ? true : undefined));
    await server?.stop();
    await new Promise((r) => recorder.close(r));
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Types `text` into a fresh file `name`, triggers, and waits for an answer with text other than those seen before. */
  async function suggestionIn(name: string, text: string): Promise<readonly string[]> {
    const file = join(folder(), name);
    writeFileSync(file, '');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
    editor.selection = new vscode.Selection(editor.document.positionAt(text.length), editor.document.positionAt(text.length));
    const before = new Set(api.recentCompletions());
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const record = await waitFor(`a suggestion in ${name}`, 30_000, () =>
      api.recentCompletions().find((r) => !before.has(r) && r.uri === editor.document.uri.toString() && !r.cancelled && r.texts.some((t) => t.length > 0)),
    );
    return record.texts;
  }

  it('ghost text comes from the server: /infill gets the text around the cursor, the newline stop cuts the stream and closes it', async function () {
    const ended = server.nextEnd();
    const texts = await suggestionIn('remote1.py', 'import math\n\ntotal = ');
    assert.deepEqual(texts, [REMOTE]);
    const record = await ended;
    assert.equal(record.route, '/infill');
    assert.equal(record.body['input_prefix'], 'import math\n\ntotal = ');
    assert.equal(record.closedByClient, true, 'the connection was closed when the line ended');
    assert.match(api.serverStatusText(), /llama\.cpp/);
    assert.doesNotMatch(api.serverStatusText(), /down/);
  });

  it('a workspace settings.json naming another endpoint and backend is ignored', async function () {
    const endpoint = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
    mkdirSync(join(folder(), '.vscode'), { recursive: true });
    writeFileSync(join(folder(), '.vscode', 'settings.json'), JSON.stringify({ 'ghostwriter.serverEndpoint': endpoint, 'ghostwriter.serverBackend': 'openai', 'ghostwriter.serverModel': 'attacker', 'ghostwriter.confidenceThreshold': -7 }, null, 2));
    await waitFor('the workspace settings to be read', 20_000, () => (cfg().get('confidenceThreshold') === -7 ? true : undefined));
    const asked = server.completions().length;
    const texts = await suggestionIn('remote2.py', 'values = [1, 2]\nresult = ');
    assert.deepEqual(texts, [REMOTE]);
    assert.equal(server.completions().length, asked + 1, 'the user\'s server answered');
    assert.deepEqual(seen, [], `the workspace's endpoint was asked: ${seen.join(', ')}`);
    assert.ok(!api.recentLog().some((l) => l.includes(endpoint) || l.includes('attacker')), 'the log never names the workspace endpoint');
    rmSync(join(folder(), '.vscode'), { recursive: true, force: true });
    await waitFor('the workspace settings to be gone', 10_000, () => (cfg().inspect('confidenceThreshold')?.workspaceValue === undefined ? true : undefined));
  });

  it('the server goes down: the local model answers and the status bar says so; it comes back and answers again', async function () {
    await server.stop();
    const texts = await suggestionIn('remote3.py', 'def scale(x):\n    return ');
    assert.ok(!texts.includes(REMOTE), `the local model answered: ${JSON.stringify(texts)}`);
    await waitFor('the status bar to say the server is down', 10_000, () => (/down — local model/.test(api.serverStatusText()) ? true : undefined));
    assert.equal(api.serverRoute().route, 'local-fallback');
    assert.ok(api.recentLog().some((l) => /local model answers until the server is back|suggestions come from the local model/.test(l)), 'the log says so');
    await server.start(port);
    await waitFor('the probe to find the server back', 30_000, () => (api.serverRoute().route === 'server' ? true : undefined));
    assert.deepEqual(await suggestionIn('remote4.py', 'import os\nname = '), [REMOTE]);
  });

  it("Choose Model lists the server's models first; picking one saves ghostwriter.serverModel in the user settings", async function () {
    await cfg().update('serverModel', undefined, vscode.ConfigurationTarget.Global);
    const chosen = vscode.commands.executeCommand('ghostwriter.chooseModel');
    // The pick opens once the server has listed its models (GET /v1/models), with the first of them
    // active; accepting before it opens does nothing.
    await waitFor("the server's model to be picked", 20_000, async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return cfg().inspect<string>('serverModel')?.globalValue === 'stand-in' ? true : undefined;
    });
    await chosen;
    assert.equal(cfg().inspect<string>('serverModel')?.workspaceValue, undefined);
  });
});
