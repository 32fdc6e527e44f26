// A stop rule over the text decoded so far. Each reads the request's context (src/core/
// requestContext.ts) and keeps its own state, so a step costs only the new text: it is made per
// completion and given the growing text (the text it saw before, extended). The inference
// process runs them while decoding (src/inference/stopping/), and the extension host replays
// them over a finished text (src/core/completion/suggestion.ts): the same rules, the same cuts.
import { LineReader, type LineRule } from '../lines';
import type { RequestContext } from '../requestContext';

export type TextStopReason = 'newline' | 'blank-line' | 'suffix-overlap' | 'dedent' | 'block-end' | 'own-block-end' | 'repeated-lines' | 'closed-by-suffix' | 'stop-sequence';

export interface TextCut {
  /** Keep text.slice(0, cutAt). */
  readonly cutAt: number;
  /** How much of the text the rule read to decide: given text.slice(0, seenAt) it would have stopped the same. */
  readonly seenAt: number;
}

export interface TextStop {
  readonly reason: TextStopReason;
  /** The first place the text so far ends, or undefined while it may go on. */
  check(text: string): TextCut | undefined;
}

/**
 * Of several stops that fire, the one decoding reaches first: the least text read, then the
 * shortest result, then the first listed. So the result does not depend on how many characters
 * each decoding step adds (one token, or all at once when a finished text is replayed).
 */
export function earliest<T extends { readonly seenAt?: number; readonly cutAt?: number }>(stops: readonly (T | undefined)[], length: number): T | undefined {
  let best: T | undefined;
  for (const s of stops) {
    if (!s) continue;
    if (!best || (s.seenAt ?? length) < (best.seenAt ?? length) || ((s.seenAt ?? length) === (best.seenAt ?? length) && (s.cutAt ?? length) < (best.cutAt ?? length))) best = s;
  }
  return best;
}

/** A line rule as a stop: it decides when a line's break arrives. */
export function lineStop(reason: TextStopReason, ctx: RequestContext, rule: LineRule): TextStop {
  const reader = new LineReader(ctx);
  return {
    reason,
    check(text) {
      for (const line of reader.read(text)) {
        const cutAt = rule(line, reader, text);
        if (cutAt !== undefined) return { cutAt, seenAt: line.next };
      }
      return undefined;
    },
  };
}

/** A stop that never fires (a rule that has nothing to look for in this context). */
export function never(reason: TextStopReason): TextStop {
  return { reason, check: () => undefined };
}
