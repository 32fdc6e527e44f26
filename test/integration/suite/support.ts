// What the suites beside this file share: the runners' config, `suite` (no tests in the first-run
// phase, which has its own suite), waiting for an event with a deadline instead of sleeping, and
// opening a file with text.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SuiteConfig } from './extension.test';

export const configFile = process.env.GHOSTWRITER_SUITE_CONFIG || join(__dirname, 'suite-config.json');

export const suiteConfig = (existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : { models: {} }) as SuiteConfig;

export const suite = suiteConfig.phase === 'first-run' ? () => undefined : describe;

/** Polls `probe` every 50 ms until it gives a value; fails after `timeoutMs`, naming `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window must have a workspace folder open');
  return folder.uri.fsPath;
}

/** Opens (creating when needed) a workspace file with `text` and shows it with the cursor at the end. */
export async function openWithText(name: string, text: string): Promise<vscode.TextEditor> {
  const file = join(workspaceDir(), name);
  writeFileSync(file, '');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
  const end = doc.positionAt(doc.getText().length);
  editor.selection = new vscode.Selection(end, end);
  return editor;
}
