// Latency in a real VS Code, observed through the extension's own answers (GhostwriterApi
// onDidAnswer): the time from a one-character edit's keystroke to the ghost text, printed as a
// figure (it depends on the machine, so it decides nothing), and that typing three characters of
// a shown suggestion never shows a different one in the two seconds after.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionRecord, GhostwriterApi } from '../../../src/vscode/api';
import { suite, suiteConfig as config } from './support';

/** How long after the third typed character every answer is watched. */
const WATCH_MS = 2_000;
const ANSWER_TIMEOUT_MS = 30_000;
const EDITS = 5;

/** Collects every answer for `uri` from now on; next() resolves with the next one (or undefined at `deadline`). */
function watchAnswers(api: GhostwriterApi, uri: string) {
  const seen: (CompletionRecord & { typed: number })[] = [];
  let wake: (() => void) | undefined;
  let typed = 0;
  const sub = api.onDidAnswer((r) => {
    if (r.uri !== uri) return;
    seen.push({ ...r, typed });
    wake?.();
  });
  return {
    seen,
    /** How many characters have been typed when the answers that follow arrive. */
    setTyped: (n: number) => (typed = n),
    /** Waits until an answer after the `from`-th matches, or the deadline passes (then undefined). */
    async until(from: number, deadline: number, match: (r: CompletionRecord) => boolean): Promise<CompletionRecord | undefined> {
      for (;;) {
        const found = seen.slice(from).find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    },
    dispose: () => sub.dispose(),
  };
}

async function openWithText(name: string, text: string): Promise<vscode.TextEditor> {
  const file = join(vscode.workspace.workspaceFolders![0].uri.fsPath, name);
  writeFileSync(file, '');
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
  await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
  const end = editor.document.positionAt(editor.document.getText().length);
  editor.selection = new vscode.Selection(end, end);
  return editor;
}

const shownText = (r: CompletionRecord) => (!r.cancelled && r.texts[0] ? r.texts[0] : undefined);
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

suite('Ghostwriter latency in a real VS Code', function () {
  let api: GhostwriterApi;

  before(async function () {
    api = await vscode.extensions.getExtension<GhostwriterApi>('ghostwriter.ghostwriter')!.activate();
    await vscode.commands.executeCommand('ghostwriter.chooseModel', { modelPath: config.models.tiny, temperature: 0 });
    assert.equal((await api.waitForState(['ready'], 60_000)).kind, 'ready');
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('prints the time from a one-character edit to the ghost text', async function () {
    const editor = await openWithText('edit-latency.js', 'function area(width, height) {\n  return width * height;\n}\n\nconst size = area');
    const uri = editor.document.uri.toString();
    const watch = watchAnswers(api, uri);
    try {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      let last = await watch.until(0, Date.now() + ANSWER_TIMEOUT_MS, (r) => !r.cancelled);
      assert.ok(last, 'a first answer');
      const times: number[] = [];
      const asked: number[] = [];
      const sources: string[] = [];
      const logFrom = api.recentLog().length;
      for (let i = 0; i < EDITS; i++) {
        // A character the shown suggestion does not continue with: the edit diverges from it.
        const next = shownText(last)?.[0];
        const key = ['x', 'q', 'z'].find((c) => c !== next)!;
        const from = watch.seen.length;
        const keystroke = performance.now();
        await vscode.commands.executeCommand('type', { text: key });
        last = await watch.until(from, Date.now() + ANSWER_TIMEOUT_MS, (r) => !r.cancelled);
        assert.ok(last, `an answer after typing ${JSON.stringify(key)}`);
        times.push(last.at - keystroke);
        asked.push(last.askedAt - keystroke);
        sources.push(`${last.source ?? '-'}${shownText(last) ? '' : ' (empty)'}`);
      }
      console.log(`      keystroke to ghost text after a one-character edit: median ${median(times)} ms of ${times.join(', ')} ms (${sources.join(', ')}); VS Code asked after ${asked.join(', ')} ms; decode ${api.state().msPerToken?.toFixed(1) ?? '?'} ms/token measured at load`);
      for (const line of api.recentLog().slice(logFrom).filter((l) => /edit-latency\.js: \d+ prompt tokens/.test(l))) console.log(`        ${line}`);
      assert.equal(times.length, EDITS);
    } finally {
      watch.dispose();
    }
  });

  it('typing three characters of a shown suggestion never shows a different one in the 2 s after', async function () {
    const editor = await openWithText('typed-three.js', 'let count = 0;\nfor (let i = 0; i < 10; i++) {\n  count');
    const uri = editor.document.uri.toString();
    const watch = watchAnswers(api, uri);
    try {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      const first = await watch.until(0, Date.now() + ANSWER_TIMEOUT_MS, (r) => shownText(r) !== undefined);
      assert.ok(first, 'a suggestion');
      const shown = shownText(first)!;
      assert.ok(shown.length >= 4, `a suggestion to type three characters of: ${JSON.stringify(shown)}`);
      const from = watch.seen.length;
      for (let k = 1; k <= 3; k++) {
        await vscode.commands.executeCommand('type', { text: shown[k - 1] });
        watch.setTyped(k);
      }
      const end = Date.now() + WATCH_MS;
      // Every answer until the deadline is looked at; the wait ends early only on a different one.
      const different = (r: CompletionRecord) => {
        if (r.cancelled) return false;
        if (r.source !== 'typed-ahead') return true;
        const text = r.texts[0] ?? '';
        // Some count of the typed characters, then the rest: the same suggestion (or it grown by the look-ahead).
        return ![0, 1, 2, 3].some((k) => {
          const whole = shown.slice(0, k) + text;
          return whole.startsWith(shown) || (text.length > 0 && shown.startsWith(whole));
        });
      };
      const bad = await watch.until(from, end, different);
      const answers = watch.seen.slice(from).filter((r) => !r.cancelled);
      assert.equal(bad, undefined, `a different suggestion while typing ${JSON.stringify(shown.slice(0, 3))} of ${JSON.stringify(shown)}: ${JSON.stringify(bad)}; all answers: ${JSON.stringify(answers)}`);
      const afterThird = answers.filter((r) => (r as CompletionRecord & { typed: number }).typed === 3);
      assert.ok(afterThird.length > 0, `an answer after the third character (answers: ${JSON.stringify(answers)})`);
      const rest = shown.slice(3);
      // (An answer arriving then may still be a late one for the second character: one must be the rest.)
      assert.ok(afterThird.some((r) => !!r.texts[0] && (r.texts[0].startsWith(rest) || rest.startsWith(r.texts[0]))), `the rest ${JSON.stringify(rest)} after the third: ${JSON.stringify(afterThird)}`);
      console.log(`      typed ${JSON.stringify(shown.slice(0, 3))} of ${JSON.stringify(shown)}: ${answers.length} answers in the ${WATCH_MS} ms after, all the same suggestion`);
    } finally {
      watch.dispose();
    }
  });
});
