// Snapshot -> prompt token ids within a token budget. Cuts at a line start so the first token
// of the prompt is a real token boundary, not the tail of a cut-off word. The window's start is
// anchored: it stays where it was while the text from there fits, and then moves forward by a
// quarter of the budget at once, so typing keeps the cached prefix instead of sliding it.
import type { DocumentSnapshot } from './snapshot';
import type { TextTokenizer } from './tokenizer';

export interface Prompt {
  readonly ids: number[];
  /** The part of the prefix the ids encode. */
  readonly text: string;
  readonly truncated: boolean;
  /** Document offset where `text` starts: the anchor for the next prompt in this document. */
  readonly start: number;
}

/** Rough upper bound of characters per token in code, to avoid encoding megabytes for a 512-token budget. */
export const MAX_CHARS_PER_TOKEN = 8;
/** When the anchored window overflows, the new one fills this share of the budget. */
const REANCHOR_SHARE = 0.75;

/**
 * `startTokenId` begins an empty prompt (GPT-2 needs at least one token; <|endoftext|> is what
 * it saw at document starts in training). Without one an empty document gives no ids.
 * `anchor`: where the previous prompt of this document started (a document offset).
 */
export function buildPrompt(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, startTokenId?: number, anchor?: number): Prompt {
  const base = snapshot.prefixOffset ?? 0;
  const anchored = anchor === undefined ? undefined : anchoredPrompt(snapshot, tokenizer, budget, anchor - base, base);
  if (anchored) return anchored;
  const target = anchor === undefined ? budget : Math.max(1, Math.floor(budget * REANCHOR_SHARE));
  return freshPrompt(snapshot, tokenizer, target, base, startTokenId);
}

/** The prompt from the previous start, if that is still a line start in the snapshot and fits. */
function anchoredPrompt(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, at: number, base: number): Prompt | undefined {
  const { prefix } = snapshot;
  if (at < 0 || at >= prefix.length) return undefined;
  const lineStart = at === 0 ? base === 0 : prefix[at - 1] === '\n';
  if (!lineStart) return undefined;
  const text = prefix.slice(at);
  const ids = tokenizer.encode(text);
  return ids.length <= budget ? { ids, text, truncated: base + at > 0, start: base + at } : undefined;
}

function freshPrompt(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, base: number, startTokenId?: number): Prompt {
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
    if (ids.length <= budget) {
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
