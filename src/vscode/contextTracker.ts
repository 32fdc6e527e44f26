// Feeds the extra-context collector (src/core/contextCollector.ts) from the editor: where the
// cursor is in each editor, which lines each change touched, which documents closed. Only
// files and untitled documents (not output channels, diff views or settings). Each event costs
// O(the change), never a read of the document; snippets() reads only the lines it returns.
import * as vscode from 'vscode';
import { ContextCollector, type TrackedDocument } from '../core/contextCollector';
import type { ContextSnippet } from '../core/snapshot';

const SCHEMES = ['file', 'untitled'];

export class ContextTracker implements vscode.Disposable {
  private readonly collector = new ContextCollector();
  private readonly subs: vscode.Disposable[];

  constructor() {
    const visit = (editor: vscode.TextEditor | undefined) => {
      if (editor && SCHEMES.includes(editor.document.uri.scheme)) this.collector.visited(tracked(editor.document), editor.selection.active.line);
    };
    this.subs = [
      vscode.window.onDidChangeActiveTextEditor(visit),
      vscode.window.onDidChangeTextEditorSelection((e) => visit(e.textEditor)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || !SCHEMES.includes(e.document.uri.scheme)) return;
        this.collector.edited(
          tracked(e.document),
          e.contentChanges.map((c) => ({ startLine: c.range.start.line, endLine: c.range.end.line, insertedLines: lineBreaks(c.text) })),
        );
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.collector.closed(d.uri.toString())),
    ];
    vscode.window.visibleTextEditors.forEach(visit);
    visit(vscode.window.activeTextEditor);
  }

  /** Snippets for a request in `document` whose snapshot spans lines [startLine, endLine]. */
  snippets(document: vscode.TextDocument, startLine: number, endLine: number): ContextSnippet[] {
    return this.collector.snippets(tracked(document), startLine, endLine);
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}

/** A live view of the document: lines are read when a snippet needs them. */
function tracked(document: vscode.TextDocument): TrackedDocument {
  return {
    id: document.uri.toString(),
    get path() {
      return document.uri.scheme === 'file' ? vscode.workspace.asRelativePath(document.uri, false) : document.uri.path;
    },
    get languageId() {
      return document.languageId;
    },
    lines: {
      get lineCount() {
        return document.lineCount;
      },
      lineAt: (line) => document.lineAt(line).text,
    },
  };
}

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
