// What the line/block decision and the filters read of the code around the cursor, computed
// once per snapshot (O(window): only the snapshot's text is scanned, never the document).
import { scanCode } from './codeScan';
import type { IndentStyle, RequestContext } from './requestContext';
import type { DocumentSnapshot } from '../snapshot';

export type { IndentStyle } from './requestContext';

/** The request context (what the stop rules read too), plus what only the extension host needs. */
export interface CursorContext extends RequestContext {
  /** The document's line ending, from the line breaks nearest the cursor. */
  readonly eol: '\n' | '\r\n';
  /** The prefix text `state` was scanned over (frames' `at` are offsets in it). */
  readonly scanned: string;
}

/** How much of the prefix is scanned for open brackets: enough for any function around the cursor. */
const SCAN_CHARS = 16_000;
const NEXT_LINES = 40;
/** Lines looked at to learn the document's indentation. */
const INDENT_LINES = 200;

const cache = new WeakMap<DocumentSnapshot, CursorContext>();

export function cursorContext(snapshot: DocumentSnapshot): CursorContext {
  let ctx = cache.get(snapshot);
  if (!ctx) {
    ctx = analyze(snapshot);
    cache.set(snapshot, ctx);
  }
  return ctx;
}

function analyze(snapshot: DocumentSnapshot): CursorContext {
  const { prefix, suffix, languageId } = snapshot;
  const lineStart = prefix.lastIndexOf('\n') + 1;
  const lineEnd = suffix.indexOf('\n');
  const before = prefix.slice(lineStart);
  const after = (lineEnd < 0 ? suffix : suffix.slice(0, lineEnd)).replace(/\r$/, '');
  const nextLines = lineEnd < 0 ? [] : suffix.slice(lineEnd + 1).split('\n', NEXT_LINES).map((l) => l.replace(/\r$/, ''));
  // A window that does not start the document starts mid-line, maybe mid-string: skip to a line start.
  let from = Math.max(0, prefix.length - SCAN_CHARS);
  if (from > 0 || (snapshot.prefixOffset ?? 0) > 0) {
    const nl = prefix.indexOf('\n', from);
    from = nl < 0 ? prefix.length : nl + 1;
    if (from > lineStart) from = lineStart;
  }
  const scanned = prefix.slice(from).replace(/\r\n/g, '\n');
  const state = scanCode(scanned, languageId).state;
  return { languageId, before, after, nextLines, eol: eolOf(snapshot), state, scanned, indent: indentStyle(snapshot) };
}

function eolOf(snapshot: DocumentSnapshot): '\n' | '\r\n' {
  const next = snapshot.suffix.indexOf('\n');
  if (next >= 0) return next > 0 && snapshot.suffix[next - 1] === '\r' ? '\r\n' : '\n';
  const last = snapshot.prefix.lastIndexOf('\n');
  return last > 0 && snapshot.prefix[last - 1] === '\r' ? '\r\n' : '\n';
}

const DEFAULT_INDENT: Record<string, IndentStyle> = {
  go: { tabs: true, unit: 4 },
  makefile: { tabs: true, unit: 4 },
  python: { tabs: false, unit: 4 },
  yaml: { tabs: false, unit: 2 },
};

/** Width of a line's leading whitespace, a tab counting `tabWidth` columns. */
export function indentWidth(line: string, tabWidth = 4): number {
  let w = 0;
  for (const c of line) {
    if (c === ' ') w++;
    else if (c === '\t') w += tabWidth;
    else break;
  }
  return w;
}

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Tabs or spaces, and the indent unit: from the lines around the cursor. */
export function indentStyle(snapshot: DocumentSnapshot): IndentStyle | undefined {
  const lines = [...snapshot.prefix.split('\n').slice(-INDENT_LINES), ...snapshot.suffix.split('\n', INDENT_LINES / 4)];
  let tabLines = 0;
  let spaceLines = 0;
  const deltas = new Map<number, number>();
  let previous: number | undefined;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim().length === 0) continue;
    if (line.startsWith('\t')) tabLines++;
    else if (line.startsWith(' ')) spaceLines++;
    const ws = leadingWhitespace(line);
    if (!ws.includes('\t')) {
      // Block comments' " * " continuation lines say nothing about the unit.
      if (previous !== undefined && ws.length > previous && !/^\s*\*/.test(line)) deltas.set(ws.length - previous, (deltas.get(ws.length - previous) ?? 0) + 1);
      previous = ws.length;
    } else previous = undefined;
  }
  if (tabLines > spaceLines) return { tabs: true, unit: 4 };
  if (spaceLines > 0) {
    let unit = 0;
    let best = 0;
    for (const [d, n] of deltas) if (d >= 2 && d <= 8 && (n > best || (n === best && d < unit))) [unit, best] = [d, n];
    if (unit > 0) return { tabs: false, unit };
  }
  return DEFAULT_INDENT[snapshot.languageId];
}
