// What the engine sees of a document: an immutable copy, never a live TextDocument.

export interface DocumentSnapshot {
  /** Text before the cursor. */
  readonly prefix: string;
  /** Text after the cursor. */
  readonly suffix: string;
  readonly languageId: string;
  /** File path or URI string, for logs and later for per-file context. */
  readonly path: string;
  readonly version: number;
  /** Document offset (UTF-16 units) where `prefix` starts; absent: the prefix is the document's start. */
  readonly prefixOffset?: number;
  /**
   * Snippets from elsewhere (other open editors of the same language, recently edited ranges),
   * most relevant last; the prompt puts them before the prefix as comments (promptBuilder.ts).
   * Absent or empty: none (ghostwriter.extraContext off, or nothing to show).
   */
  readonly extraContext?: readonly ContextSnippet[];
}

/** A few lines of another file (or of this one, far from the cursor): data only. */
export interface ContextSnippet {
  /** The file's name as the comment shows it (workspace-relative when it can be). */
  readonly path: string;
  /** Whole lines, a few hundred characters at most. */
  readonly text: string;
  /** Where it came from: an editor's text around its cursor, or a range edited recently. */
  readonly kind: 'editor' | 'edit';
}

export function createSnapshot(fields: DocumentSnapshot): DocumentSnapshot {
  const { extraContext, ...rest } = fields;
  if (extraContext === undefined) return Object.freeze({ ...rest });
  return Object.freeze({ ...rest, extraContext: Object.freeze(extraContext.map((s) => Object.freeze({ path: s.path, text: s.text, kind: s.kind }))) });
}

/** Text of the cursor's line before and after the cursor. */
export function currentLine(snapshot: DocumentSnapshot): { before: string; after: string } {
  const nl = snapshot.prefix.lastIndexOf('\n');
  const end = snapshot.suffix.indexOf('\n');
  return {
    before: snapshot.prefix.slice(nl + 1),
    after: end < 0 ? snapshot.suffix : snapshot.suffix.slice(0, end),
  };
}

/** Document offset of the cursor. */
export function cursorOffset(snapshot: DocumentSnapshot): number {
  return (snapshot.prefixOffset ?? 0) + snapshot.prefix.length;
}
