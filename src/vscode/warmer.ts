// Works ahead of the user: when a file becomes active or the cursor settles somewhere new, the
// prompt there is run into the KV cache, so the first suggestion does not pay for the prefix.
// After a paste it does not wait for the cursor to settle (src/core/pasteWarm.ts).
import * as vscode from 'vscode';
import type { Settings } from '../core/config';
import type { CompletionService } from '../core/completionService';
import type { Gate } from '../core/enablement';
import { isLargeInsertion } from '../core/pasteWarm';
import { MAX_CHARS_PER_TOKEN } from '../core/promptBuilder';
import { snapshotAt } from './completionProvider';
import type { ContextTracker } from './contextTracker';

/** How long the cursor must rest before warming. */
const SETTLE_MS = 400;

/**
 * `context`: the same extra context as the completions', so the warmed prompt is theirs. `gate`:
 * why a document gets no suggestions (off for its language, snoozed); none is warmed then either.
 */
export function registerWarmer(
  service: CompletionService,
  settings: (doc: vscode.TextDocument) => Settings,
  context: ContextTracker | undefined,
  gate: (doc: vscode.TextDocument, settings: Settings) => Gate | undefined,
): vscode.Disposable {
  let settled: NodeJS.Timeout | undefined;
  const warm = (editor: vscode.TextEditor, at: vscode.Position, afterEdit = false) => {
    const s = settings(editor.document);
    if (gate(editor.document, s) !== undefined) return;
    service.warm(snapshotAt(editor.document, at, s.contextTokens * MAX_CHARS_PER_TOKEN, s.extraContext ? context : undefined), s, afterEdit);
  };
  const warmable = (editor: vscode.TextEditor | undefined): editor is vscode.TextEditor => !!editor && ['file', 'untitled'].includes(editor.document.uri.scheme);
  const schedule = (editor: vscode.TextEditor | undefined) => {
    clearTimeout(settled);
    if (warmable(editor)) settled = setTimeout(() => editor.selection.isEmpty && warm(editor, editor.selection.active), SETTLE_MS);
  };
  const subs = [
    vscode.window.onDidChangeActiveTextEditor(schedule),
    vscode.window.onDidChangeTextEditorSelection((e) => schedule(e.textEditor)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const editor = vscode.window.activeTextEditor;
      if (!warmable(editor) || editor.document !== e.document || !isLargeInsertion(e.contentChanges)) return;
      // At once, where a paste leaves the cursor: after the largest insertion. Keys typed next
      // extend this prompt, so their request finds what this warm-up ran cached.
      const largest = e.contentChanges.reduce((a, b) => (b.text.length > a.text.length ? b : a));
      warm(editor, e.document.positionAt(largest.rangeOffset + largest.text.length), true);
    }),
    service.onDidChangeState((state) => state.kind === 'ready' && schedule(vscode.window.activeTextEditor)),
  ];
  return { dispose: () => (clearTimeout(settled), subs.forEach((d) => d.dispose())) };
}
