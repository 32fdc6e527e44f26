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
}

export function createSnapshot(fields: DocumentSnapshot): DocumentSnapshot {
  return Object.freeze({ ...fields });
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
