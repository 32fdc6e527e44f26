// Document + position -> immutable snapshot; CancellationToken -> AbortSignal (once, here);
// the service's answer -> InlineCompletionItems. Cancellation is not an error: no items.
import * as vscode from 'vscode';
import type { Settings } from '../core/config';
import type { CompletionService } from '../core/completionService';
import { gateFor, type Gate } from '../core/enablement';
import { MAX_CHARS_PER_TOKEN } from '../core/promptBuilder';
import { createSnapshot, type DocumentSnapshot } from '../core/snapshot';
import type { CompletionRecord } from './api';
import type { ContextTracker } from './contextTracker';

/** Characters of text after the cursor worth sending; the filters look at its first lines. */
const SUFFIX_CHARS = 2000;

export class InlineProvider implements vscode.InlineCompletionItemProvider {
  /** Why a document gets no suggestion when the switch is the reason (off for its language, snoozed): src/vscode/enablement.ts. */
  private gate: (doc: vscode.TextDocument, settings: Settings) => Gate | undefined = (doc, s) => gateFor(s.enable, doc.languageId, false);

  gateBy(gate: (doc: vscode.TextDocument, settings: Settings) => Gate | undefined): void {
    this.gate = gate;
  }

  constructor(
    private readonly service: CompletionService,
    private readonly settings: (scope: vscode.TextDocument) => Settings,
    private readonly record: (r: CompletionRecord) => void,
    /** Extra context from other editors and recent edits (ghostwriter.extraContext). */
    private readonly context?: ContextTracker,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[]> {
    const askedAt = performance.now();
    const settings = this.settings(document);
    const gate = this.gate(document, settings);
    if (gate) {
      // Not asked at all; the answer says why (the tests wait on it).
      if (gate !== 'off') this.record({ uri: document.uri.toString(), texts: [], cancelled: false, skipped: gate, at: performance.now(), askedAt });
      return [];
    }
    // With the suggest widget open VS Code would discard text that does not extend its item.
    if (context.selectedCompletionInfo) return [];
    const snapshot = snapshotAt(document, position, settings.contextTokens * MAX_CHARS_PER_TOKEN, settings.extraContext ? this.context : undefined);
    // An explicit trigger (the command) does not wait for typing to pause.
    const trigger = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke ? 'explicit' : 'automatic';
    const abort = abortSignalOf(token);
    const asked: Pick<CompletionRecord, 'version' | 'askedAt' | 'trigger'> = { version: document.version, askedAt, trigger };
    const answer = await this.service.complete(snapshot, settings, abort.signal, trigger).finally(() => abort.dispose());
    // VS Code may cancel while the answer is on its way (a keystroke handled in the same turn): it drops such items, so none are given.
    const cancelled = answer.cancelled || token.isCancellationRequested;
    this.record({ uri: document.uri.toString(), texts: cancelled ? [] : answer.texts, cancelled, ...(answer.source ? { source: answer.source } : {}), ...asked, at: performance.now(), answeredVersion: document.version, tokenCancelled: token.isCancellationRequested });
    if (cancelled) return [];
    // A suggestion that re-emits the closers after the cursor replaces them (its range covers them).
    return answer.texts.map(
      (text, i) => new vscode.InlineCompletionItem(text, new vscode.Range(position, position.translate(0, answer.replaceSuffixChars?.[i] ?? 0))),
    );
  }
}

/**
 * Copies only the text around the cursor, not the whole document, on every keystroke; with a
 * context tracker, the extra-context snippets too (a few hundred characters each).
 */
export function snapshotAt(document: vscode.TextDocument, position: vscode.Position, prefixChars: number, context?: ContextTracker): DocumentSnapshot {
  const offset = document.offsetAt(position);
  const start = document.positionAt(Math.max(0, offset - prefixChars));
  const far = document.positionAt(offset + SUFFIX_CHARS);
  // The suffix ends at a line end (or the document's end): the prompt cuts it at line ends.
  const end = far.line > position.line && far.character < document.lineAt(far.line).text.length ? new vscode.Position(far.line, 0) : far;
  return createSnapshot({
    prefix: document.getText(new vscode.Range(start, position)),
    suffix: document.getText(new vscode.Range(position, end)),
    languageId: document.languageId,
    path: document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString(),
    version: document.version,
    prefixOffset: document.offsetAt(start),
    ...(context ? { extraContext: context.snippets(document, start.line, end.line) } : {}),
  });
}

/** The one place a CancellationToken becomes an AbortSignal; dispose() drops the subscription. */
export function abortSignalOf(token: vscode.CancellationToken): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const sub = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => sub.dispose() };
}
