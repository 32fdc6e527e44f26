// What the extension sends for a cursor in a document (src/vscode/completionProvider.ts's
// snapshotAt, without VS Code): the text around the cursor, not the whole document.
import { MAX_CHARS_PER_TOKEN } from '../src/core/promptBuilder';
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
