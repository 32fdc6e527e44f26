// Document + position -> immutable snapshot; CancellationToken -> AbortSignal (once, here);
// the service's answer -> InlineCompletionItems. Cancellation is not an error: no items.
import * as vscode from 'vscode';
import type { Settings } from '../core/config';
import type { CompletionService } from '../core/completionService';
import { createSnapshot, type DocumentSnapshot } from '../core/snapshot';
import type { CompletionRecord } from './api';

/** Characters of text after the cursor worth sending; the filters look at its first lines. */
const SUFFIX_CHARS = 2000;
/** Characters per token, generously, so the engine can cut the prefix to the token budget. */
const CHARS_PER_TOKEN = 8;

export class InlineProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly service: CompletionService,
    private readonly settings: () => Settings,
    private readonly record: (r: CompletionRecord) => void,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[]> {
    const settings = this.settings();
    if (!settings.enable) return [];
    const snapshot = snapshotAt(document, position, settings.contextTokens * CHARS_PER_TOKEN);
    // An explicit trigger (Alt+\ or the command) should not wait for typing to pause.
    const effective = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke ? { ...settings, debounceMs: 0 } : settings;
    const answer = await this.service.complete(snapshot, effective, abortSignalOf(token));
    this.record({ uri: document.uri.toString(), texts: answer.texts, cancelled: answer.cancelled });
    return answer.texts.map((text) => new vscode.InlineCompletionItem(text, new vscode.Range(position, position)));
  }
}

export function snapshotAt(document: vscode.TextDocument, position: vscode.Position, prefixChars: number): DocumentSnapshot {
  const offset = document.offsetAt(position);
  const text = document.getText();
  return createSnapshot({
    prefix: text.slice(Math.max(0, offset - prefixChars), offset),
    suffix: text.slice(offset, offset + SUFFIX_CHARS),
    languageId: document.languageId,
    path: document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString(),
    version: document.version,
  });
}

/** The one place a CancellationToken becomes an AbortSignal. */
export function abortSignalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
