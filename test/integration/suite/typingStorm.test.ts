// Inside a real VS Code: a seeded typing storm through the inline-completion provider (issue 14,
// section 2). 1,000 keystrokes about 5 ms apart in two editors side by side: typed characters,
// backspaces, undo, edits away from the cursor, and jumps between the editors, with now and then
// a pause long enough for an answer. What VS Code got back is read from the extension's records
// (api.recentCompletions: the document's version when asked and when answered, the times):
// - no suggestion for an outdated document version, nor for a request VS Code had cancelled;
// - one request served at a time: no other request began while a served one was in flight (a
//   newer one supersedes it, so the older ends with nothing);
// - the answers match their documents: after the storm and Reload Model, each editor's answer
//   served from the cache (holding both documents) equals its cold answer for the same prompt.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionRecord, GhostwriterApi } from '../../../src/vscode/api';
import { seededRng } from '../../../src/inference/rng';
import { suite, suiteConfig as config, waitFor } from './support';

const KEYS = 1000;
const GAP_MS = 5;
const SEED = 0x57a2;
const TYPED = 'for name in sorted(items):\n    if name.startswith("test"):\n        total += len(name)\nreturn total\n';

suite('Ghostwriter through a typing storm in two editors', function () {
  this.timeout(180_000);
  let api: GhostwriterApi;
  const cfg = () => vscode.workspace.getConfiguration('ghostwriter');
  // No debounce: every keystroke reaches the service, the hardest case. No deadline: answers compared before and after a reload stop where the model does.
  const SETTINGS: readonly [string, unknown][] = [
    ['debounceMs', 0],
    ['timeoutMs', 60_000],
    // fp32: int8's dynamic quantization scales activations per call, so a cached run and a cold one may round apart.
    ['modelFile', 'fp32'],
    // The prompt is the document alone: snippets of the other editor (and their order) would differ between the two runs compared.
    ['extraContext', false],
    // Set, so not tuned to the speed each load measures: the prompt's size must not differ between the two runs compared.
    ['contextTokens', 192],
    ['maxNewTokens', 24],
  ];

  before(async function () {
    api = await vscode.extensions.getExtension<GhostwriterApi>('ghostwriter.ghostwriter')!.activate();
    for (const [key, value] of SETTINGS) await cfg().update(key, value, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    assert.equal((await api.waitForState(['ready'], 60_000)).kind, 'ready');
  });

  after(async function () {
    for (const [key] of SETTINGS) await cfg().update(key, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.waitForState(['ready'], 60_000);
  });

  async function open(name: string, text: string, column: vscode.ViewColumn): Promise<vscode.TextEditor> {
    const file = join(vscode.workspace.workspaceFolders![0].uri.fsPath, name);
    writeFileSync(file, text);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { viewColumn: column, preview: false });
    const end = editor.document.positionAt(text.length);
    editor.selection = new vscode.Selection(end, end);
    return editor;
  }

  /** The explicit trigger's answer at the editor's cursor (the newest uncancelled one for it). */
  async function answerAt(editor: vscode.TextEditor, what: string): Promise<CompletionRecord> {
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preview: false });
    const uri = editor.document.uri.toString();
    const seen = new Set(api.recentCompletions());
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    // Explicit: an automatic answer may be cut early (the look-ahead grows it later), so only explicit ones compare.
    return waitFor(`${what} for ${uri}`, 30_000, () => api.recentCompletions().find((r) => !seen.has(r) && r.uri === uri && !r.cancelled && r.trigger === 'explicit'));
  }

  it(`${KEYS} keystrokes ${GAP_MS} ms apart with undo, backspace, edits and jumps: nothing for an outdated version, one served at a time, answers equal to a cold run (seed ${SEED})`, async function () {
    const editors = [
      await open('storm-a.py', 'import os\n\n\ndef count(items):\n    total = 0\n    ', vscode.ViewColumn.One),
      await open('storm-b.py', 'class Walker:\n    def __init__(self, root):\n        self.root = root\n\n    def files(self):\n        ', vscode.ViewColumn.Two),
    ];
    const uris = new Set(editors.map((e) => e.document.uri.toString()));
    const r = seededRng(SEED);
    const count = { types: 0, backspaces: 0, undos: 0, edits: 0, jumps: 0, pauses: 0 };
    // The records (at most 500 kept) are gathered as they come, by identity.
    const records = new Set<CompletionRecord>(api.recentCompletions());
    const before = new Set(records);
    const gather = () => {
      for (const rec of api.recentCompletions()) records.add(rec);
    };
    let active = 0;
    let typed = 0;
    await vscode.window.showTextDocument(editors[0].document, { viewColumn: editors[0].viewColumn, preview: false });
    for (let key = 0; key < KEYS; key++) {
      const roll = r();
      const editor = editors[active];
      if (roll < 0.03) {
        active = 1 - active;
        await vscode.window.showTextDocument(editors[active].document, { viewColumn: editors[active].viewColumn, preview: false });
        count.jumps++;
      } else if (roll < 0.09) {
        await vscode.commands.executeCommand('undo');
        count.undos++;
      } else if (roll < 0.22) {
        await vscode.commands.executeCommand('deleteLeft');
        count.backspaces++;
      } else if (roll < 0.26) {
        // An edit away from the cursor (a formatter, another extension): the version moves, the cursor's text does not.
        await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# note\n'));
        count.edits++;
      } else {
        await vscode.commands.executeCommand('type', { text: TYPED[typed++ % TYPED.length] });
        count.types++;
      }
      gather();
      if (r() < 0.02) {
        // A pause: the user asks (Trigger Inline Suggestion) and waits for the answer for this version.
        const doc = editors[active].document;
        const version = doc.version;
        count.pauses++;
        await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
        await waitFor(`an answer for ${doc.uri.toString()} version ${version}`, 30_000, () => {
          gather();
          return api.recentCompletions().find((x) => x.uri === doc.uri.toString() && x.version === version && !x.cancelled) ?? (doc.version !== version ? true : undefined);
        });
      } else {
        await new Promise((resolve) => setTimeout(resolve, GAP_MS));
      }
    }
    // Whatever is still in flight ends (VS Code asks again after the last key).
    await waitFor('the service to go idle', 30_000, () => (api.state().kind === 'ready' ? true : undefined));
    gather();

    const storm = [...records].filter((x) => !before.has(x) && uris.has(x.uri) && x.version !== undefined);
    const served = storm.filter((x) => !x.cancelled && x.texts.length > 0);
    const stats = { ...count, asked: storm.length, served: served.length, typedAhead: served.filter((x) => x.source === 'typed-ahead').length, cancelled: storm.filter((x) => x.cancelled).length, empty: storm.filter((x) => !x.cancelled && x.texts.length === 0).length };
    process.stdout.write(`      typing storm through the provider, seed ${SEED}: ${JSON.stringify(stats)}\n`);
    // No suggestion for an outdated version of its document, nor for a request VS Code had cancelled
    // (a typed-ahead answer can be ready in the very turn in which the next keystroke cancels it).
    const outdated = served.filter((x) => x.answeredVersion !== x.version || x.tokenCancelled);
    assert.deepEqual(outdated, [], 'served answers for an outdated version or a cancelled request');
    // One served at a time: a request that began while another was in flight superseded it.
    for (const s of served) {
      const overlapping = storm.find((x) => x !== s && x.askedAt > s.askedAt && x.askedAt < s.at);
      assert.equal(overlapping, undefined, `a request began while a served one was in flight: ${JSON.stringify([s, overlapping])}`);
    }
    assert.ok(served.length > 0 && storm.length >= served.length, JSON.stringify(stats));
    assert.ok(count.undos > 0 && count.jumps > 0 && count.backspaces > 0 && count.edits > 0 && count.pauses > 0, JSON.stringify(count));

    // The cache serves each document its own tokens: after Reload Model (a fresh process, an empty
    // cache) each editor's answer is asked cold, then again once both documents are in the cache;
    // the same prompt (the engine keeps a document's prompt start) must give the same answer.
    const reloaded = await vscode.commands.executeCommand<{ kind: string; message?: string }>('ghostwriter.reloadModel');
    assert.equal(reloaded?.kind ?? (await api.waitForState(['ready'], 60_000)).kind, 'ready', reloaded?.message);
    const promptOf = async (name: string) => {
      const line = await waitFor(`the request for ${name} in the log`, 10_000, () => api.recentLog().filter((l) => l.includes(`${name}: `) && /prompt tokens/.test(l)).pop());
      const [, prompt, cached] = /(\d+) prompt tokens \((\d+) cached\)/.exec(line)!.map(Number);
      return { prompt, cached, line };
    };
    const cold: { answer: CompletionRecord; prompt: number }[] = [];
    for (const e of editors) {
      const answer = await answerAt(e, 'an answer after Reload Model');
      cold.push({ answer, prompt: (await promptOf(e.document.fileName.split('/').pop()!)).prompt });
    }
    for (let i = 0; i < editors.length; i++) {
      const name = editors[i].document.fileName.split('/').pop()!;
      const warm = await answerAt(editors[i], 'an answer from the cache');
      const logged = await promptOf(name);
      assert.equal(warm.version, cold[i].answer.version, 'the document did not change in between');
      assert.equal(logged.prompt, cold[i].prompt, `the same prompt: ${logged.line}`);
      assert.ok(logged.cached > 0, `the prompt came from the cache: ${logged.line}`);
      assert.deepEqual(warm.texts, cold[i].answer.texts, `${name}: the cached run answers as the cold one did`);
    }
  });
});
