// Snapshot -> prompt token ids within a token budget. Cuts at a line start so the first token
// of the prompt is a real token boundary, not the tail of a cut-off word.
import type { DocumentSnapshot } from './snapshot';
import type { TextTokenizer } from './tokenizer';

export interface Prompt {
  readonly ids: number[];
  /** The part of the prefix the ids encode. */
  readonly text: string;
  readonly truncated: boolean;
}

/** Rough upper bound of characters per token in code, to avoid encoding megabytes for a 512-token budget. */
export const MAX_CHARS_PER_TOKEN = 8;

/**
 * `startTokenId` begins an empty prompt (GPT-2 needs at least one token; <|endoftext|> is what
 * it saw at document starts in training). Without one an empty document gives no ids.
 */
export function buildPrompt(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number, startTokenId?: number): Prompt {
  let prefix = snapshot.prefix.slice(-budget * MAX_CHARS_PER_TOKEN);
  let truncated = prefix.length < snapshot.prefix.length;
  if (truncated && prefix.indexOf('\n') >= 0) prefix = prefix.slice(prefix.indexOf('\n') + 1);
  const whole = tokenizer.encode(prefix);
  if (whole.length <= budget) return whole.length > 0 || startTokenId === undefined ? { ids: whole, text: prefix, truncated } : { ids: [startTokenId], text: prefix, truncated };
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
  if (best && best.ids.length > 0) return { ids: best.ids, text: prefix.slice(best.at), truncated };
  // The cursor's line alone is over budget: keep its last tokens.
  const lastLine = tokenizer.encode(prefix.slice(starts[starts.length - 1]));
  const ids = lastLine.slice(-budget);
  return { ids, text: tokenizer.decode(ids), truncated };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (i + 1 < text.length) starts.push(i + 1);
  return starts;
}
