// What the extension sends for a cursor in a document (src/vscode/completionProvider.ts's
// snapshotAt, without VS Code): the text around the cursor, not the whole document.
import { MAX_CHARS_PER_TOKEN } from '../src/core/promptBuilder';
import type { Snippet } from './corpus';
import { createSnapshot, type DocumentSnapshot } from '../src/core/snapshot';

/** The extension's SUFFIX_CHARS (that module imports vscode, so it is not imported here). */
export const SUFFIX_CHARS = 2000;

export interface EditorDocument {
  readonly text: string;
  readonly languageId: string;
  readonly path: string;
  readonly version: number;
}

export function snapshotAt(doc: EditorDocument, offset: number, contextTokens: number): DocumentSnapshot {
  const start = Math.max(0, offset - contextTokens * MAX_CHARS_PER_TOKEN);
  // prefixOffset (where the prefix starts in the document) lets the engine line up consecutive
  // snapshots of one document; a snapshot type without the field simply carries it along.
  const fields = {
    prefix: doc.text.slice(start, offset),
    suffix: doc.text.slice(offset, offset + SUFFIX_CHARS),
    languageId: doc.languageId,
    path: doc.path,
    version: doc.version,
    prefixOffset: start,
  };
  return createSnapshot(fields);
}

/** A snippet as the editor holds it, the cursor at its offset (version 1), and after the character that really comes next is typed there (version 2). */
export function snippetEdit(s: Snippet, contextTokens: number): { readonly before: DocumentSnapshot; readonly after: DocumentSnapshot } {
  const doc: EditorDocument = { text: s.document, languageId: s.languageId, path: s.path, version: 1 };
  const edited: EditorDocument = { ...doc, text: s.document.slice(0, s.offset) + s.next + s.document.slice(s.offset), version: 2 };
  return { before: snapshotAt(doc, s.offset, contextTokens), after: snapshotAt(edited, s.offset + 1, contextTokens) };
}
