// Works ahead of the user: when a file becomes active or the cursor settles somewhere new, the
// prompt there is run into the KV cache, so the first suggestion does not pay for the prefix.
import * as vscode from 'vscode';
import type { Settings } from '../core/config';
import type { CompletionService } from '../core/completionService';
import { enabledFor } from '../core/enablement';
import { MAX_CHARS_PER_TOKEN } from '../core/promptBuilder';
import { snapshotAt } from './completionProvider';
import type { ContextTracker } from './contextTracker';

/** How long the cursor must rest before warming. */
const SETTLE_MS = 400;

/** `context`: the same extra context as the completions', so the warmed prompt is theirs. */
export function registerWarmer(service: CompletionService, settings: (doc: vscode.TextDocument) => Settings, context?: ContextTracker): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const schedule = (editor: vscode.TextEditor | undefined) => {
    clearTimeout(timer);
    if (!editor || !['file', 'untitled'].includes(editor.document.uri.scheme)) return;
    timer = setTimeout(() => {
      const s = settings(editor.document);
      if (!enabledFor(s.enable, editor.document.languageId) || !editor.selection.isEmpty) return;
      service.warm(snapshotAt(editor.document, editor.selection.active, s.contextTokens * MAX_CHARS_PER_TOKEN, s.extraContext ? context : undefined), s);
    }, SETTLE_MS);
  };
  const subs = [
    vscode.window.onDidChangeActiveTextEditor(schedule),
    vscode.window.onDidChangeTextEditorSelection((e) => schedule(e.textEditor)),
    service.onDidChangeState((state) => state.kind === 'ready' && schedule(vscode.window.activeTextEditor)),
  ];
  return { dispose: () => (clearTimeout(timer), subs.forEach((d) => d.dispose())) };
}
