// A completion as lines, for the rules that read it a line at a time: the line filters (after
// decoding, over the whole text) and the stops (during decoding, each line once as it completes,
// src/core/completion/stops/). Both read it through the same LineReader, so they agree on every line.
import { CodeScanner, imbalance } from './codeScan';
import type { RequestContext } from './requestContext';

/** A line that says something: code worth recognising as a repeat, not a lone `}` or `else:`. */
export function isSignificant(line: string): boolean {
  const t = line.trim();
  return t.length >= 4 && /[\p{L}\p{N}_]/u.test(t);
}

/** A line of closing brackets (and the punctuation after them): `}`, `});`, `],`. */
export function isClosingLine(line: string): boolean {
  return /^[)\]}]+[)\]};,]*$/.test(line.trim());
}

/** The lines after the cursor's line, from the first that is not blank. */
export function linesBelow(ctx: Pick<RequestContext, 'nextLines'>): readonly string[] {
  const first = ctx.nextLines.findIndex((l) => l.trim().length > 0);
  return first < 0 ? [] : ctx.nextLines.slice(first);
}

/** Per line of the completion: whether it starts inside a string or comment (its whitespace is text, not indentation). */
export function linesInText(completion: string, ctx: RequestContext): boolean[] {
  // One scanner for all the lines: a line costs its own length, not the brackets left open above it.
  const scanner = new CodeScanner(ctx.languageId, ctx.state);
  return completion.split('\n').map((line, i) => {
    // The first line starts at the cursor, inside whatever is open there.
    const inside = i > 0 && scanner.inText;
    scanner.feed(`${line}\n`);
    return inside;
  });
}

/** Two lines are the same line: code compared without its indentation, a lone closer with it (`\t}` is not `}`). */
export function sameLine(a: string, b: string): boolean {
  return isSignificant(a) ? a.trim() === b.trim() : a.trimEnd() === b.trimEnd();
}

/** Cutting `completion` down to `kept` leaves it no less balanced at the cursor (it does not cut a bracket it opened itself). */
export function cutKeepsBalance(kept: string, completion: string, ctx: RequestContext): boolean {
  return imbalance(kept, ctx.languageId, ctx.state) <= imbalance(completion, ctx.languageId, ctx.state);
}

export interface ReadLine {
  readonly index: number;
  /** The completion's text of the line, without its line break (the '\r' of a '\r\n' dropped). */
  readonly text: string;
  /** The line with what precedes it on the document's line: the cursor's line before the cursor for the first. */
  readonly whole: string;
  /** Offset of the line's first character in the completion. */
  readonly start: number;
  /** Offset just past the line's text (where its line break starts). */
  readonly end: number;
  /** Offset just past the line break (`end` for the last line). */
  readonly next: number;
  /** A line break ends it. The last line of a finished completion has none (while decoding it may go on). */
  readonly complete: boolean;
  /** It starts inside a string or block comment left open by the lines above: its whitespace is text, not indentation. */
  readonly inText: boolean;
  /** Where, in the completion, each closer on this line that closes something open at the cursor ends (scanCode's pops). */
  readonly pops: readonly number[];
  /** Where each of those closers starts. */
  readonly closers: readonly number[];
  /** Closers of what is open at the cursor through this line: they stay, so the whole completion's imbalance is at least this. */
  readonly closed: number;
  /** imbalance() of the completion through this line (its line break included). */
  readonly imbalance: number;
}

/**
 * Reads a growing completion a line at a time: read(text) returns the lines that text completes
 * beyond those already read (the text read so far must stay as it was: a decoded line does not
 * change once its line break is there), finish(text) the last one, which no line break ends.
 * Each character is scanned once.
 */
export class LineReader {
  readonly lines: ReadLine[] = [];
  private readonly scanner: CodeScanner;
  private offset = 0;
  private done = false;

  constructor(readonly ctx: RequestContext) {
    this.scanner = new CodeScanner(ctx.languageId, ctx.state);
  }

  /** Where the line being decoded starts. */
  get lineStart(): number {
    return this.offset;
  }

  /** The lines `text` completes that were not read yet, in order. */
  read(text: string): ReadLine[] {
    const out: ReadLine[] = [];
    for (let nl = text.indexOf('\n', this.offset); !this.done && nl >= 0; nl = text.indexOf('\n', this.offset)) out.push(this.take(text, nl + 1, true));
    return out;
  }

  /** The completion's last line (after its other lines were read): the text after the last line break, maybe empty. */
  finish(text: string): ReadLine {
    this.read(text);
    if (this.done) return this.lines[this.lines.length - 1];
    const line = this.take(text, text.length, false);
    this.done = true;
    return line;
  }

  /** A scanner at the start of the line being decoded, to look into that line without reading it (it may still change). */
  scannerAtLineStart(): CodeScanner {
    return this.scanner.clone();
  }

  private take(text: string, next: number, complete: boolean): ReadLine {
    const start = this.offset;
    let end = complete ? next - 1 : next;
    if (complete && text[end - 1] === '\r') end--;
    const lineText = text.slice(start, end);
    const inText = this.scanner.inText;
    const popsBefore = this.scanner.pops.length;
    this.scanner.feed(text.slice(start, next));
    const index = this.lines.length;
    const line: ReadLine = {
      index,
      text: lineText,
      whole: index === 0 ? this.ctx.before + lineText : lineText,
      start,
      end,
      next,
      complete,
      inText: index > 0 && inText,
      pops: this.scanner.pops.slice(popsBefore),
      closers: this.scanner.closers.slice(popsBefore),
      closed: this.scanner.pops.length,
      imbalance: this.scanner.imbalance,
    };
    this.lines.push(line);
    this.offset = next;
    return line;
  }
}

/**
 * A rule over a completion's lines: it sees each line once, in order, and returns where the
 * completion ends (an offset in it: keep text.slice(0, cut)) or undefined. A rule holds its own
 * state, so it is made per completion. Lines with `complete` false come only after decoding:
 * the completion's last line, which a rule may read as final.
 */
export type LineRule = (line: ReadLine, reader: LineReader, text: string) => number | undefined;

/** A line rule as a filter: the whole completion read, its last line as final. */
export function cutByLines(completion: string, ctx: RequestContext, rule: LineRule): string {
  const reader = new LineReader(ctx);
  for (const line of reader.read(completion)) {
    const cut = rule(line, reader, completion);
    if (cut !== undefined) return completion.slice(0, cut);
  }
  const cut = rule(reader.finish(completion), reader, completion);
  return cut === undefined ? completion : completion.slice(0, cut);
}

/** Where the completion ends when it keeps only the lines before line `index`. */
export function endBefore(reader: LineReader, index: number): number {
  return index === 0 ? 0 : reader.lines[index - 1].end;
}
