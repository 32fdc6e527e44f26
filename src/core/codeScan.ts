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

export function syntaxOf(languageId: string): Syntax {
  return SYNTAX[languageId] ?? { lineComments: [], quotes: `"'`, multiQuotes: [] };
}

const CLOSER_OF: Record<Opener, string> = { '(': ')', '[': ']', '{': '}' };
const OPENER_OF: Record<string, Opener> = { ')': '(', ']': '[', '}': '{' };

export const EMPTY_STATE: ScanState = { stack: [] };

/** Scans `text` starting in `from` (the state at its first character). */
export function scanCode(text: string, languageId: string, from: ScanState = EMPTY_STATE): ScanResult {
  const syn = syntaxOf(languageId);
  const stack: Frame[] = [...from.stack];
  /** Frames below this index belong to the starting state and are still open. */
  let base = stack.length;
  let str = from.str;
  let initialStr = str !== undefined;
  let comment = from.comment;
  let initialComment = comment === 'block';
  const pops: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment === 'line') {
      if (c === '\n') comment = undefined;
      continue;
    }
    if (comment === 'block') {
      const end = syn.blockComment?.[1];
      if (end && text.startsWith(end, i)) {
        comment = undefined;
        i += end.length - 1;
        // Closing the block comment the text started in ends the cursor's block, as a bracket does.
        if (initialComment) pops.push(i + 1);
        initialComment = false;
      }
      continue;
    }
    if (str) {
      if (c === '\\' && !str.raw) {
        i++;
        continue;
      }
      if (c === '\n' && !str.multiLine) {
        // An unterminated single-line string ends with its line.
        str = undefined;
        initialStr = false;
        continue;
      }
      if (text.startsWith(str.delim, i)) {
        i += str.delim.length - 1;
        if (initialStr) pops.push(i + 1);
        str = undefined;
        initialStr = false;
      }
      continue;
    }
    const lineComment = syn.lineComments.find((t) => text.startsWith(t, i));
    if (lineComment && (!syn.yamlLike || atValueStart(text, i, true))) {
      comment = 'line';
      i += lineComment.length - 1;
      continue;
    }
    if (syn.blockComment && text.startsWith(syn.blockComment[0], i)) {
      comment = 'block';
      i += syn.blockComment[0].length - 1;
      continue;
    }
    const multi = syn.multiQuotes.find((q) => text.startsWith(q, i));
    if (multi) {
      str = { delim: multi, at: i, multiLine: true, raw: syn.rawQuotes?.includes(multi) ?? false };
      i += multi.length - 1;
      continue;
    }
    if (syn.quotes.includes(c) && (!syn.yamlLike || atValueStart(text, i, false))) {
      str = { delim: c, at: i, multiLine: false, raw: false };
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      stack.push({ ch: c, at: i });
      continue;
    }
    const opener = OPENER_OF[c];
    if (opener) {
      let j = stack.length - 1;
      while (j >= 0 && stack[j].ch !== opener) j--;
      if (j < 0) {
        // Outside its own brackets a closer that matches nothing closes something before the
        // scanned window: it counts as closing the start.
        if (stack.length === base) pops.push(i + 1);
        continue;
      }
      // Frames above the match were left unclosed: they go with it.
      for (let k = Math.min(base, stack.length) - 1; k >= j; k--) pops.push(i + 1);
      stack.length = j;
      base = Math.min(base, j);
    }
  }
  const opened = stack.length - base + (str && !initialStr ? 1 : 0);
  return { state: { stack, ...(str ? { str } : {}), ...(comment ? { comment } : {}) }, pops, opened };
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
