// A suggestion shown early grows as the look-ahead decodes on: when it grew and the editor is
// still where it was, ask VS Code to show it again (the answer comes from the prediction, no
// model run). The inline completion API has no "changed" event, so the trigger command it is.
import * as vscode from 'vscode';
import type { CompletionService } from '../core/completionService';
import { enabledFor } from '../core/enablement';
import { MAX_CHARS_PER_TOKEN } from '../core/promptBuilder';
import type { Settings } from '../core/config';
import { snapshotAt } from './completionProvider';

export function showGrowth(service: CompletionService, settings: (doc: vscode.TextDocument) => Settings): vscode.Disposable {
  return service.onDidGrowSuggestion(() => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !editor.selection.isEmpty) return;
    const s = settings(editor.document);
    if (!enabledFor(s.enable, editor.document.languageId) || !service.predicts(snapshotAt(editor.document, editor.selection.active, s.contextTokens * MAX_CHARS_PER_TOKEN))) return;
    service.refresh();
    void vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  });
}
