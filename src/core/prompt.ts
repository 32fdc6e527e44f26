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
const MAX_CHARS_PER_TOKEN = 8;

export function buildPrompt(snapshot: DocumentSnapshot, tokenizer: TextTokenizer, budget: number): Prompt {
  let prefix = snapshot.prefix.slice(-budget * MAX_CHARS_PER_TOKEN);
  let truncated = prefix.length < snapshot.prefix.length;
  if (truncated && prefix.indexOf('\n') >= 0) prefix = prefix.slice(prefix.indexOf('\n') + 1);
  const whole = tokenizer.encode(prefix);
  if (whole.length <= budget) return withStart({ ids: whole, text: prefix, truncated }, tokenizer);
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

/** GPT-2 needs at least one token: an empty document starts from <|endoftext|>, as in training. */
function withStart(prompt: Prompt, tokenizer: TextTokenizer): Prompt {
  if (prompt.ids.length > 0 || tokenizer.eosTokenId === undefined) return prompt;
  return { ...prompt, ids: [tokenizer.eosTokenId] };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (i + 1 < text.length) starts.push(i + 1);
  return starts;
}
