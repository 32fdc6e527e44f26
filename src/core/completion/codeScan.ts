// A tolerant, language-aware bracket scanner: which brackets, string or comment are open at the
// end of a text, and which of those open at its start the text closes. Good enough for deciding
// where a suggestion ends and what it re-emits; not a parser (regex literals, heredocs, nested
// template expressions and the like are not understood).

export type Opener = '(' | '[' | '{';

export interface Frame {
  readonly ch: Opener;
  /** Offset of the opener in the text it was found in (scans that start from a state keep it). */
  readonly at: number;
}

export interface OpenString {
  readonly delim: string;
  readonly at: number;
  /** The string may span lines (triple quotes, template literals, raw strings). */
  readonly multiLine: boolean;
  /** Backslash escapes nothing (Go raw strings). */
  readonly raw: boolean;
}

export interface ScanState {
  readonly stack: readonly Frame[];
  readonly str?: OpenString;
  readonly comment?: 'line' | 'block';
}

export interface ScanResult {
  readonly state: ScanState;
  /**
   * One entry per bracket of the starting state the text closed (or per closer that matched
   * nothing: it closes something before the scanned window), and one for closing the starting
   * state's open string or block comment: the offset just after the closing character(s).
   */
  readonly pops: readonly number[];
  /** Brackets the text opened itself and left open, plus one for a string it opened and left open. */
  readonly opened: number;
}

export interface Syntax {
  readonly lineComments: readonly string[];
  readonly blockComment?: readonly [string, string];
  /** Single-line string delimiters. */
  readonly quotes: string;
  /** Delimiters of strings that may span lines, longest first. */
  readonly multiQuotes: readonly string[];
  /** Raw multi-line delimiters (no escapes). */
  readonly rawQuotes?: string;
  /** Quotes and `#` only count where a value may start (YAML). */
  readonly yamlLike?: boolean;
}

const C_LIKE: Syntax = { lineComments: ['//'], blockComment: ['/*', '*/'], quotes: `"'`, multiQuotes: [] };
const JS_LIKE: Syntax = { ...C_LIKE, multiQuotes: ['`'] };
const HASH: Syntax = { lineComments: ['#'], quotes: `"'`, multiQuotes: [] };
const NONE: Syntax = { lineComments: [], quotes: '', multiQuotes: [] };

const SYNTAX: Record<string, Syntax> = {
  python: { lineComments: ['#'], quotes: `"'`, multiQuotes: ['"""', "'''"] },
  javascript: JS_LIKE,
  javascriptreact: JS_LIKE,
  typescript: JS_LIKE,
  typescriptreact: JS_LIKE,
  vue: JS_LIKE,
  svelte: JS_LIKE,
  go: { ...C_LIKE, multiQuotes: ['`'], rawQuotes: '`' },
  // A Rust `'` is as often a lifetime as a char literal: not a quote here.
  rust: { ...C_LIKE, quotes: '"' },
  java: C_LIKE,
  c: C_LIKE,
  cpp: C_LIKE,
  csharp: C_LIKE,
  kotlin: { ...C_LIKE, multiQuotes: ['"""'] },
  swift: { ...C_LIKE, multiQuotes: ['"""'] },
  scala: { ...C_LIKE, multiQuotes: ['"""'] },
  dart: { ...C_LIKE, multiQuotes: ['"""', "'''"] },
  php: { ...C_LIKE, lineComments: ['//', '#'] },
  css: { lineComments: [], blockComment: ['/*', '*/'], quotes: `"'`, multiQuotes: [] },
  scss: { lineComments: ['//'], blockComment: ['/*', '*/'], quotes: `"'`, multiQuotes: [] },
  less: { lineComments: ['//'], blockComment: ['/*', '*/'], quotes: `"'`, multiQuotes: [] },
  sql: { lineComments: ['--'], blockComment: ['/*', '*/'], quotes: `'"`, multiQuotes: [] },
  lua: { lineComments: ['--'], quotes: `"'`, multiQuotes: [] },
  json: { lineComments: [], quotes: '"', multiQuotes: [] },
  jsonc: { lineComments: ['//'], blockComment: ['/*', '*/'], quotes: '"', multiQuotes: [] },
  yaml: { lineComments: ['#'], quotes: `"'`, multiQuotes: [], yamlLike: true },
  toml: { lineComments: ['#'], quotes: `"'`, multiQuotes: ['"""', "'''"] },
  shellscript: HASH,
  ruby: HASH,
  perl: HASH,
  r: HASH,
  dockerfile: HASH,
  makefile: HASH,
  markdown: NONE,
  plaintext: NONE,
  html: NONE,
  xml: NONE,
};

/** One object for every language outside the table, so what is derived from it per syntax (tokenStartsOf) is derived once. */
const OTHER: Syntax = { lineComments: [], quotes: `"'`, multiQuotes: [] };

export function syntaxOf(languageId: string): Syntax {
  return SYNTAX[languageId] ?? OTHER;
}

const CLOSER_OF: Record<Opener, string> = { '(': ')', '[': ']', '{': '}' };

/** Per syntax, the characters that may start something the scanner tracks; the rest of the code is skipped at one lookup a character. */
const tokenStarts = new WeakMap<Syntax, ReadonlySet<string>>();
function tokenStartsOf(syn: Syntax): ReadonlySet<string> {
  let set = tokenStarts.get(syn);
  if (!set) {
    set = new Set(['(', '[', '{', ')', ']', '}', ...syn.quotes, ...[...syn.lineComments, ...syn.multiQuotes, ...(syn.blockComment ? [syn.blockComment[0]] : [])].map((t) => t[0])]);
    tokenStarts.set(syn, set);
  }
  return set;
}
const OPENER_OF: Record<string, Opener> = { ')': '(', ']': '[', '}': '{' };

export const EMPTY_STATE: ScanState = { stack: [] };

/** Scans `text` starting in `from` (the state at its first character). */
export function scanCode(text: string, languageId: string, from: ScanState = EMPTY_STATE): ScanResult {
  const scanner = new CodeScanner(languageId, from);
  scanner.feed(text);
  return scanner.result();
}

/**
 * scanCode() a piece at a time: each feed() continues the text fed before, offsets counting
 * from the first piece's start. A piece must not end inside a multi-character token (a comment
 * or string delimiter, an escape): feeding whole lines, line break included, is always safe.
 */
export class CodeScanner {
  private readonly syn: Syntax;
  private readonly starts: ReadonlySet<string>;
  private readonly stack: Frame[];
  /** Per opener, the indexes in `stack` of its frames, ascending: a closer finds its match in one step, however deep the stack. */
  private readonly framesOf: Record<Opener, number[]> = { '(': [], '[': [], '{': [] };
  /** Frames below this index belong to the starting state and are still open. */
  private base: number;
  private str: OpenString | undefined;
  private initialStr: boolean;
  private comment: 'line' | 'block' | undefined;
  private initialComment: boolean;
  private readonly popList: number[] = [];
  /** Where the closer of each pop starts (pops[i] is where it ends). */
  private readonly closerList: number[] = [];
  private offset = 0;

  constructor(
    private readonly languageId: string,
    from: ScanState = EMPTY_STATE,
  ) {
    this.syn = syntaxOf(languageId);
    this.starts = tokenStartsOf(this.syn);
    this.stack = [...from.stack];
    this.stack.forEach((f, i) => this.framesOf[f.ch].push(i));
    this.base = this.stack.length;
    this.str = from.str;
    this.initialStr = from.str !== undefined;
    this.comment = from.comment;
    this.initialComment = from.comment === 'block';
  }

  /** Characters fed so far. */
  get length(): number {
    return this.offset;
  }

  /** ScanResult.pops so far. */
  get pops(): readonly number[] {
    return this.popList;
  }

  /** Per pop, the offset where the closing character(s) start. */
  get closers(): readonly number[] {
    return this.closerList;
  }

  /** The scan is inside a string or a block comment (ScanState's `str` or `comment === 'block'`), read without copying the state. */
  get inText(): boolean {
    return this.str !== undefined || this.comment === 'block';
  }

  get state(): ScanState {
    const { stack, str, comment } = this;
    return { stack: [...stack], ...(str ? { str } : {}), ...(comment ? { comment } : {}) };
  }

  /** ScanResult.opened so far. */
  get opened(): number {
    return this.stack.length - this.base + (this.str && !this.initialStr ? 1 : 0);
  }

  /** imbalance() of everything fed so far. */
  get imbalance(): number {
    return this.popList.length + this.opened;
  }

  result(): ScanResult {
    return { state: this.state, pops: [...this.popList], opened: this.opened };
  }

  /** An independent scanner in the same state (to look at a piece that may still change). */
  clone(): CodeScanner {
    const c = new CodeScanner(this.languageId, EMPTY_STATE);
    c.stack.push(...this.stack);
    for (const ch of ['(', '[', '{'] as const) c.framesOf[ch].push(...this.framesOf[ch]);
    c.base = this.base;
    c.str = this.str;
    c.initialStr = this.initialStr;
    c.comment = this.comment;
    c.initialComment = this.initialComment;
    c.popList.push(...this.popList);
    c.closerList.push(...this.closerList);
    c.offset = this.offset;
    return c;
  }

  feed(text: string): void {
    const { syn, stack } = this;
    const at = this.offset;
    const pop = (start: number, end: number) => {
      this.closerList.push(at + start);
      this.popList.push(at + end);
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.comment === 'line') {
        if (c === '\n') this.comment = undefined;
        continue;
      }
      if (this.comment === 'block') {
        const end = syn.blockComment?.[1];
        if (end && c === end[0] && text.startsWith(end, i)) {
          this.comment = undefined;
          i += end.length - 1;
          // Closing the block comment the text started in ends the cursor's block, as a bracket does.
          if (this.initialComment) pop(i + 1 - end.length, i + 1);
          this.initialComment = false;
        }
        continue;
      }
      const str = this.str;
      if (str) {
        if (c === '\\' && !str.raw) {
          i++;
          continue;
        }
        if (c === '\n' && !str.multiLine) {
          // An unterminated single-line string ends with its line.
          this.str = undefined;
          this.initialStr = false;
          continue;
        }
        if (c === str.delim[0] && text.startsWith(str.delim, i)) {
          i += str.delim.length - 1;
          if (this.initialStr) pop(i + 1 - str.delim.length, i + 1);
          this.str = undefined;
          this.initialStr = false;
        }
        continue;
      }
      if (!this.starts.has(c)) continue;
      const lineComment = syn.lineComments.find((t) => text.startsWith(t, i));
      if (lineComment && (!syn.yamlLike || atValueStart(text, i, true))) {
        this.comment = 'line';
        i += lineComment.length - 1;
        continue;
      }
      if (syn.blockComment && text.startsWith(syn.blockComment[0], i)) {
        this.comment = 'block';
        i += syn.blockComment[0].length - 1;
        continue;
      }
      const multi = syn.multiQuotes.find((q) => text.startsWith(q, i));
      if (multi) {
        this.str = { delim: multi, at: at + i, multiLine: true, raw: syn.rawQuotes?.includes(multi) ?? false };
        i += multi.length - 1;
        continue;
      }
      if (syn.quotes.includes(c) && (!syn.yamlLike || atValueStart(text, i, false))) {
        this.str = { delim: c, at: at + i, multiLine: false, raw: false };
        continue;
      }
      if (c === '(' || c === '[' || c === '{') {
        this.framesOf[c].push(stack.length);
        stack.push({ ch: c, at: at + i });
        continue;
      }
      const opener = OPENER_OF[c];
      if (opener) {
        const frames = this.framesOf[opener];
        const j = frames.length > 0 ? frames[frames.length - 1] : -1;
        if (j < 0) {
          // Outside its own brackets a closer that matches nothing closes something before the
          // scanned window: it counts as closing the start.
          if (stack.length === this.base) pop(i, i + 1);
          continue;
        }
        // Frames above the match were left unclosed: they go with it.
        for (let k = Math.min(this.base, stack.length) - 1; k >= j; k--) pop(i, i + 1);
        stack.length = j;
        for (const ch of ['(', '[', '{'] as const) {
          const f = this.framesOf[ch];
          while (f.length > 0 && f[f.length - 1] >= j) f.pop();
        }
        this.base = Math.min(this.base, j);
      }
    }
    this.offset += text.length;
  }
}

/** YAML: a quote starts a scalar only at a value's start; `#` starts a comment only after whitespace. */
function atValueStart(text: string, i: number, comment: boolean): boolean {
  let j = i - 1;
  if (comment) return j < 0 || /\s/.test(text[j]);
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  return j < 0 || '\n:-,[{?'.includes(text[j]);
}

export function closerOf(ch: Opener): string {
  return CLOSER_OF[ch];
}

/**
 * How far a text strays from neutral, starting in `from`: brackets it closes of the starting
 * state plus brackets (and a string) it opens and leaves open. A completion that fits its place
 * closes only what the text after the cursor does not.
 */
export function imbalance(text: string, languageId: string, from: ScanState): number {
  const r = scanCode(text, languageId, from);
  return r.pops.length + r.opened;
}
