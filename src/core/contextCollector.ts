// What the extra context is made of (ghostwriter.extraContext): where the cursor was in other
// documents (open editors), and which line ranges were edited recently, per document. The editor
// side (src/vscode/contextTracker.ts) reports events and reads lines through LineSource; this
// file decides, without vscode, so it can be tested.
//
// Bounded everywhere: MAX_DOCUMENTS documents (least recently visited dropped), MAX_EDITS_PER_DOCUMENT
// ranges each, a few snippets of a few hundred characters, whole lines only. Per request it reads
// only the lines of the snippets it returns (O(snippets), never a whole document), and an event
// costs O(ranges kept). Its answer changes only when something happens elsewhere (another
// document is visited or edited, an edit grows old), not while typing at the cursor: the
// snippets start the prompt, and the KV cache keeps them only while they stay the same.
import type { ContextSnippet } from './snapshot';

/** Other documents' text around their cursor: at most this many, the most recently visited. */
export const MAX_EDITOR_SNIPPETS = 3;
/** Recently edited ranges: at most this many, the newest. */
export const MAX_EDIT_SNIPPETS = 3;
/** Characters of one snippet, whole lines. */
export const SNIPPET_CHARS = 300;
/** Lines around another editor's cursor. */
const EDITOR_LINES_AROUND = 4;
/** An edit older than this is no longer "recent". */
export const RECENT_EDIT_MS = 10 * 60_000;
export const MAX_DOCUMENTS = 16;
export const MAX_EDITS_PER_DOCUMENT = 4;
/** Collecting stops after this long, whatever is left (the bounds above keep it far below). */
const COLLECT_BUDGET_MS = 5;

/** Lines of a live document, read when needed. */
export interface LineSource {
  readonly lineCount: number;
  lineAt(line: number): string;
}

export interface TrackedDocument {
  /** Identity (a URI string). */
  readonly id: string;
  /** As the comment names it. */
  readonly path: string;
  readonly languageId: string;
  readonly lines: LineSource;
}

/** One content change, in lines: the replaced range [startLine, endLine] and the line breaks its new text has. */
export interface LineChange {
  readonly startLine: number;
  readonly endLine: number;
  readonly insertedLines: number;
}

interface Range {
  start: number;
  end: number;
  at: number;
}

interface Record {
  doc: TrackedDocument;
  cursor?: number;
  edits: Range[];
}

export class ContextCollector {
  /** Least recently visited first. */
  private readonly docs = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The cursor of `doc` is on `line` (an editor became active or its selection moved). */
  visited(doc: TrackedDocument, line: number): void {
    const r = this.record(doc, true);
    r.cursor = line;
  }

  /** `doc` changed: ranges after the changes move with them, the changed lines become the newest edit. */
  edited(doc: TrackedDocument, changes: readonly LineChange[]): void {
    if (changes.length === 0) return;
    const r = this.record(doc, false);
    const at = this.now();
    for (const c of changes) {
      const delta = c.insertedLines - (c.endLine - c.startLine);
      let fresh: Range = { start: c.startLine, end: c.startLine + c.insertedLines, at };
      const kept: Range[] = [];
      for (const e of r.edits) {
        if (e.start > c.endLine + 1) kept.push({ ...e, start: e.start + delta, end: e.end + delta });
        else if (e.end < c.startLine - 1) kept.push(e);
        // Touching or overlapping the change: one range with it (typing line after line stays one edit).
        else fresh = { start: Math.min(fresh.start, e.start), end: Math.max(fresh.end, e.end > c.endLine ? e.end + delta : Math.min(e.end, fresh.end)), at };
      }
      kept.push(fresh);
      r.edits = kept.slice(-MAX_EDITS_PER_DOCUMENT);
      if (r.cursor !== undefined && r.cursor > c.endLine) r.cursor += delta;
    }
  }

  closed(id: string): void {
    this.docs.delete(id);
  }

  /**
   * Snippets for a request in `current` whose text around the cursor spans lines
   * [windowStart, windowEnd]: other documents of its language around their cursor (most
   * recently visited last), then recent edits of that language outside that window (newest
   * last). Most relevant last, as the snapshot wants them.
   */
  snippets(current: TrackedDocument, windowStart: number, windowEnd: number): ContextSnippet[] {
    const t0 = this.now();
    const over = () => this.now() - t0 > COLLECT_BUDGET_MS;
    const same = [...this.docs.values()].filter((r) => r.doc.languageId === current.languageId);
    const editors: { r: Record; from: number; to: number; text: string }[] = [];
    for (const r of same.filter((r) => r.doc.id !== current.id && r.cursor !== undefined).slice(-MAX_EDITOR_SNIPPETS)) {
      if (over()) break;
      const around = linesAround(r.doc.lines, r.cursor!, r.cursor! - EDITOR_LINES_AROUND, r.cursor! + EDITOR_LINES_AROUND);
      if (around) editors.push({ r, ...around });
    }
    const cutoff = t0 - RECENT_EDIT_MS;
    const edits = same
      .flatMap((r) => r.edits.map((e) => ({ r, e })))
      .filter(({ e }) => e.at >= cutoff)
      .filter(({ r, e }) => !(r.doc.id === current.id ? overlaps(e, windowStart, windowEnd) : editors.some((s) => s.r === r && overlaps(e, s.from, s.to))))
      .sort((a, b) => a.e.at - b.e.at)
      .slice(-MAX_EDIT_SNIPPETS);
    const out: ContextSnippet[] = editors.map(({ r, text }) => ({ path: r.doc.path, text, kind: 'editor' }));
    for (const { r, e } of edits) {
      if (over()) break;
      const around = linesAround(r.doc.lines, e.end, e.start - 1, e.end + 1);
      if (around) out.push({ path: r.doc.path, text: around.text, kind: 'edit' });
    }
    return out;
  }

  /** Documents tracked (for tests and the bound). */
  get size(): number {
    return this.docs.size;
  }

  private record(doc: TrackedDocument, visit: boolean): Record {
    let r = this.docs.get(doc.id);
    if (r) {
      r.doc = doc;
      if (visit) {
        this.docs.delete(doc.id);
        this.docs.set(doc.id, r);
      }
      return r;
    }
    r = { doc, edits: [] };
    this.docs.set(doc.id, r);
    if (this.docs.size > MAX_DOCUMENTS) this.docs.delete(this.docs.keys().next().value!);
    return r;
  }
}

const overlaps = (e: { start: number; end: number }, from: number, to: number) => e.start <= to && e.end >= from;

/**
 * Whole lines around `center` within [from, to], growing below and above in turn while they fit
 * SNIPPET_CHARS; undefined when the center line alone does not fit (minified text) or is past the end.
 */
function linesAround(lines: LineSource, center: number, from: number, to: number): { from: number; to: number; text: string } | undefined {
  const last = lines.lineCount - 1;
  if (center < 0 || center > last) return undefined;
  const lo0 = Math.max(0, from);
  const hi0 = Math.min(last, to);
  const first = lines.lineAt(center);
  if (first.length > SNIPPET_CHARS) return undefined;
  const taken = [first];
  let size = first.length;
  let lo = center;
  let hi = center;
  for (let grew = true; grew; ) {
    grew = false;
    if (hi < hi0) {
      const l = lines.lineAt(hi + 1);
      if (size + 1 + l.length <= SNIPPET_CHARS) {
        taken.push(l);
        size += 1 + l.length;
        hi++;
        grew = true;
      }
    }
    if (lo > lo0) {
      const l = lines.lineAt(lo - 1);
      if (size + 1 + l.length <= SNIPPET_CHARS) {
        taken.unshift(l);
        size += 1 + l.length;
        lo--;
        grew = true;
      }
    }
  }
  return { from: lo, to: hi, text: taken.join('\n') };
}
