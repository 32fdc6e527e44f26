// Snapshot -> prompt token ids within a token budget, token-exact: each segment (extra context,
// prefix, suffix) is encoded on its own with the model's tokenizer and measured in its tokens,
// then the segments are joined, with fill-in-the-middle control tokens when the tokenizer has
// them. Document text is encoded with special tokens spelled out (tokenizer.ts): only the ids
// added here are control tokens, so a file that spells `<fim_middle>` cannot steer the model.
//
// Layout.
//   FIM (the tokenizer has a family's prefix/suffix/middle special tokens), PSM order:
//     <fim_prefix> EXTRA PREFIX <fim_suffix> SUFFIX <fim_middle>   -> the model writes the middle
//   Otherwise (GPT-2, CodeGen): EXTRA PREFIX; the suffix is left to the stops and filters.
//
// Why PSM (prefix, suffix, middle) and not SPM. It is the order StarCoder's and SantaCoder's
// model cards show and every FIM client sends; SPM comes in variants that put the tokens in
// different places, and nothing in a model's files says which one it saw. For the KV cache
// (src/inference/cachePool.ts reuses the longest common token prefix of consecutive prompts),
// PSM keeps `<fim_prefix> EXTRA PREFIX` as the prompt's start, exactly as a prefix-only prompt
// has it: typing only appends to PREFIX, so all of that stays cached. What follows the prefix
// (`<fim_suffix> SUFFIX <fim_middle>`) runs again on every keystroke, so the suffix is kept
// short: at most `suffixShare` of the budget and never more than MAX_SUFFIX_TOKENS. SPM would
// put the suffix first, and every move of the cursor to another line (a new suffix) would then
// run the whole prompt, extra context and prefix included, again.
//
// Budget: `budget` tokens in all (the engine passes min(contextTokens, n_positions − max new
// tokens)). FIM's three control tokens come off first; of the rest, the extra context takes at
// most EXTRA_CONTEXT_SHARE (whole snippets only) and the suffix at most `suffixShare`, cut at
// the last line end that fits; the prefix takes what is left, cut at the earliest line start
// that fits. The prefix window's start is anchored: it stays where it was while the text from
// there fits, and then moves forward at once so that three quarters of its budget are used, so
// typing keeps the cached prefix instead of sliding it. A first window that has to cut the text
// (no anchor yet: a file just opened, a paste) also starts with three quarters.
import { extraContextSnippets } from './extraContext';
import type { DocumentSnapshot } from './snapshot';
import type { TextTokenizer } from './tokenizer';

export interface Prompt {
  readonly ids: number[];
  /** The part of the prefix the ids encode. */
  readonly text: string;
  readonly truncated: boolean;
  /** Document offset where `text` starts: the anchor for the next prompt in this document. */
  readonly start: number;
  /** 'fim': the ids end with the middle token and the continuation is the middle. */
  readonly mode: 'prefix' | 'fim';
  /** The part of the suffix the ids encode (FIM only; '' otherwise). */
  readonly suffixText: string;
  /** Tokens of each segment (the FIM control tokens are the rest). */
  readonly extraTokens: number;
  readonly prefixTokens: number;
  readonly suffixTokens: number;
  /** Extra-context snippets the ids hold. */
  readonly snippets: number;
}

/** Rough upper bound of characters per token in code, to avoid encoding megabytes for a 512-token budget. */
export const MAX_CHARS_PER_TOKEN = 8;
/** When the anchored window overflows, the new one fills this share of the budget. */
const REANCHOR_SHARE = 0.75;
/**
 * The suffix follows the prefix, so it runs through the model again on every keystroke: however
 * large the budget, at most this many tokens of it (a few milliseconds of prefill on a small model).
 */
export const MAX_SUFFIX_TOKENS = 256;
/** The extra context's most: it starts the prompt, whole snippets only. */
export const EXTRA_CONTEXT_SHARE = 0.25;
/** suffixShare when the caller gives none: ghostwriter.suffixShare's default (src/core/config.ts). */
const DEFAULT_SUFFIX_SHARE = 0.25;

/** The suffix's share of a prompt: the caller's, within 0 and one half. */
export function suffixShareOf(options: { readonly suffixShare?: number }): number {
  return Math.min(0.5, Math.max(0, options.suffixShare ?? DEFAULT_SUFFIX_SHARE));
}

/** A family's FIM token spellings (src/inference/arch adapters name them; ArchAdapter.fimTokens fits). */
export interface FimSpelling {
  readonly family: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly middle: string;
  readonly pad?: string;
  /** A token that ends the middle, for families that have one (others end it with EOS). */
  readonly end?: string;
}

/** FIM control token ids, as the tokenizer has them. */
export interface FimTokens {
  readonly family: string;
  readonly prefix: number;
  readonly suffix: number;
  readonly middle: number;
  /** Sampling one of these ends the middle (with EOS): the end token, pad and the markers themselves. */
  readonly stop: readonly number[];
}

/**
 * The first spelling whose prefix, suffix and middle are all special tokens of this tokenizer
 * (tokenizer.json added_tokens): read from the tokenizer files, whatever the model is called.
 */
export function detectFim(tokenizer: TextTokenizer, spellings: readonly FimSpelling[]): FimTokens | undefined {
  for (const s of spellings) {
    const prefix = tokenizer.specialTokenId(s.prefix);
    const suffix = tokenizer.specialTokenId(s.suffix);
    const middle = tokenizer.specialTokenId(s.middle);
    if (prefix === undefined || suffix === undefined || middle === undefined) continue;
    const extra = [s.end, s.pad].map((n) => (n === undefined ? undefined : tokenizer.specialTokenId(n))).filter((id): id is number => id !== undefined);
    return { family: s.family, prefix, suffix, middle, stop: [...extra, prefix, suffix, middle] };
  }
  return undefined;
}

export interface PromptOptions {
  /** Most tokens of the whole prompt. */
  readonly budget: number;
  /** Begins an otherwise empty prefix-only prompt (GPT-2 needs one token; <|endoftext|> is what it saw at document starts). */
  readonly startTokenId?: number;
  /** Where the previous prompt of this document started (a document offset). */
  readonly anchor?: number;
  /** Join with these FIM tokens; absent: prefix-only. */
  readonly fim?: FimTokens;
  /** The suffix's most, as a share of the budget (FIM only); 0 to 0.5. */
  readonly suffixShare?: number;
  /** Encoded snippets kept between calls (PromptBuilder holds one). */
  readonly memo?: EncodeMemo;
}

/** Prefix-only, as before FIM: the prefix within `budget`, anchored. */
export function buildPrompt(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, startTokenId?: number, anchor?: number): Prompt {
  return composePrompt(snapshot, tokenizer, { budget, startTokenId, anchor });
}

/** The whole layout (see the top of this file). */
export function composePrompt(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, options: PromptOptions): Prompt {
  const budget = Math.max(1, Math.floor(options.budget));
  // Three control tokens and at least one of prefix: below that, prefix-only.
  const fim = options.fim && budget >= 4 ? options.fim : undefined;
  const available = budget - (fim ? 3 : 0);
  const extra = extraSegment(snapshot, tokenizer, Math.floor(EXTRA_CONTEXT_SHARE * available), options.memo);
  const share = suffixShareOf(options);
  const suffix = fim ? suffixSegment(snapshot.suffix, tokenizer, Math.min(MAX_SUFFIX_TOKENS, Math.floor(share * available))) : { ids: [], text: '' };
  const prefixBudget = Math.max(1, available - extra.ids.length - suffix.ids.length);
  // An empty prompt needs the start token only when nothing else is in it.
  const startTokenId = fim || extra.ids.length > 0 ? undefined : options.startTokenId;
  const prefix = prefixSegment(snapshot, tokenizer, prefixBudget, startTokenId, options.anchor);
  const ids = fim ? [fim.prefix, ...extra.ids, ...prefix.ids, fim.suffix, ...suffix.ids, fim.middle] : [...extra.ids, ...prefix.ids];
  return {
    ids,
    text: prefix.text,
    truncated: prefix.truncated,
    start: prefix.start,
    mode: fim ? 'fim' : 'prefix',
    suffixText: suffix.text,
    extraTokens: extra.ids.length,
    prefixTokens: prefix.ids.length,
    suffixTokens: suffix.ids.length,
    snippets: extra.snippets,
  };
}

/**
 * One tokenizer's prompts: FIM detected once from its special tokens, snippets encoded once
 * (the extra context is re-encoded only when its snippets change).
 */
export class PromptBuilder {
  readonly fim: FimTokens | undefined;
  private readonly startTokenId: number | undefined;
  private readonly memo = new EncodeMemo();

  constructor(
    private readonly tokenizer: TextTokenizer,
    options: { readonly fimSpellings?: readonly FimSpelling[]; readonly startTokenId?: number } = {},
  ) {
    this.fim = detectFim(tokenizer, options.fimSpellings ?? []);
    this.startTokenId = options.startTokenId;
  }

  build(snapshot: DocumentSnapshot, options: { readonly budget: number; readonly anchor?: number; readonly suffixShare?: number }): Prompt {
    return composePrompt(snapshot, this.tokenizer, { ...options, fim: this.fim, startTokenId: this.startTokenId, memo: this.memo });
  }
}

/** Formatted snippet text -> its ids; at most this many entries (a few per open editor). */
const MEMO_ENTRIES = 64;

export class EncodeMemo {
  private readonly entries = new Map<string, number[]>();

  encode(tokenizer: TextTokenizer, text: string): number[] {
    let ids = this.entries.get(text);
    if (ids) {
      this.entries.delete(text);
    } else {
      ids = tokenizer.encode(text);
      if (this.entries.size >= MEMO_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(text, ids);
    return ids;
  }
}

interface Segment {
  readonly ids: number[];
  readonly text: string;
}

/**
 * Whole snippets, each encoded on its own (so one snippet's tokens never depend on another's),
 * most relevant (last) first while they fit `cap` (one that does not is left out, the next may
 * still fit), then back in their order.
 */
function extraSegment(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, cap: number, memo?: EncodeMemo): { ids: number[]; snippets: number } {
  if (cap <= 0 || !snapshot.extraContext?.length) return { ids: [], snippets: 0 };
  const chosen: number[][] = [];
  let total = 0;
  const all = extraContextSnippets(snapshot);
  for (let i = all.length - 1; i >= 0; i--) {
    const ids = memo ? memo.encode(tokenizer, all[i].text) : tokenizer.encode(all[i].text);
    if (total + ids.length > cap) continue;
    chosen.unshift(ids);
    total += ids.length;
  }
  return { ids: chosen.flat(), snippets: chosen.length };
}

/** The suffix up to the last line end that fits `limit` tokens (the cursor's line alone too long: its first tokens). */
function suffixSegment(suffix: string, tokenizer: TextTokenizer, limit: number): Segment {
  if (limit <= 0 || suffix === '') return { ids: [], text: '' };
  const text = suffix.slice(0, limit * MAX_CHARS_PER_TOKEN);
  // Line ends: just after each newline, and the suffix's end when all of it is here.
  const ends: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) ends.push(i + 1);
  if (text.length === suffix.length && ends[ends.length - 1] !== text.length) ends.push(text.length);
  // Binary search for the last line end whose text fits.
  let lo = 0;
  let hi = ends.length - 1;
  let best: Segment | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const ids = tokenizer.encode(text.slice(0, ends[mid]));
    if (ids.length <= limit) {
      best = { ids, text: text.slice(0, ends[mid]) };
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (best) return best;
  const first = ends.length > 0 ? text.slice(0, ends[0]) : text;
  const ids = tokenizer.encode(first).slice(0, limit);
  return { ids, text: tokenizer.decode(ids) };
}

interface PrefixSegment extends Segment {
  readonly truncated: boolean;
  readonly start: number;
}

function prefixSegment(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, startTokenId?: number, anchor?: number): PrefixSegment {
  const base = snapshot.prefixOffset ?? 0;
  const anchored = anchor === undefined ? undefined : anchoredPrefix(snapshot, tokenizer, budget, anchor - base, base);
  if (anchored) return anchored;
  // A window that has to cut the text leaves room to type, whether it is the first or one after a
  // jump: filled to the brim, the first keystrokes would move it and run the whole prompt again.
  return freshPrefix(snapshot, tokenizer, budget, base, startTokenId, Math.max(1, Math.floor(budget * REANCHOR_SHARE)));
}

/** The prefix from the previous start, if that is still a line start in the snapshot and fits. */
function anchoredPrefix(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, at: number, base: number): PrefixSegment | undefined {
  const { prefix } = snapshot;
  if (at < 0 || at >= prefix.length) return undefined;
  const lineStart = at === 0 ? base === 0 : prefix[at - 1] === '\n';
  if (!lineStart) return undefined;
  const text = prefix.slice(at);
  const ids = tokenizer.encode(text);
  return ids.length <= budget ? { ids, text, truncated: base + at > 0, start: base + at } : undefined;
}

/** The whole prefix if it fits `budget`; else its tail from the earliest line start that fits `cutTo`. */
function freshPrefix(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, base: number, startTokenId?: number, cutTo = budget): PrefixSegment {
  let offset = Math.max(0, snapshot.prefix.length - budget * MAX_CHARS_PER_TOKEN);
  let prefix = snapshot.prefix.slice(offset);
  let truncated = base + offset > 0;
  // Not at the document's start: begin at the next line start, never inside a line.
  if (truncated && prefix.indexOf('\n') >= 0) {
    offset += prefix.indexOf('\n') + 1;
    prefix = snapshot.prefix.slice(offset);
  }
  const start = base + offset;
  const whole = tokenizer.encode(prefix);
  if (whole.length <= budget) {
    const ids = whole.length > 0 || startTokenId === undefined ? whole : [startTokenId];
    return { ids, text: prefix, truncated, start };
  }
  truncated = true;
  const starts = lineStarts(prefix);
  // Binary search for the earliest line start whose tail fits the budget.
  let lo = 0;
  let hi = starts.length - 1;
  let best: { ids: number[]; at: number } | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const ids = tokenizer.encode(prefix.slice(starts[mid]));
    if (ids.length <= cutTo) {
      best = { ids, at: starts[mid] };
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  if (best && best.ids.length > 0) return { ids: best.ids, text: prefix.slice(best.at), truncated, start: start + best.at };
  // The cursor's line alone is over budget: keep its last tokens (no anchor survives this).
  const lastStart = starts[starts.length - 1];
  const ids = tokenizer.encode(prefix.slice(lastStart)).slice(-budget);
  return { ids, text: tokenizer.decode(ids), truncated, start: -1 };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (i + 1 < text.length) starts.push(i + 1);
  return starts;
}
