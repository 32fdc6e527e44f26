// Stopping criteria: each looks at the generation so far and may end it, optionally cutting
// the text (a newline that ended a single-line completion is not part of it).
import { newlineCut } from '../core/lineStop';
import type { NewlinePolicy } from '../core/protocol';

export type StopReason = 'eos' | 'max-tokens' | 'newline' | 'blank-line' | 'deadline' | 'aborted' | 'context-full';

export interface GenerationState {
  /** Tokens generated so far (the prompt excluded). */
  readonly newIds: readonly number[];
  /** newIds decoded. */
  readonly text: string;
  /** ms since the request started. */
  readonly elapsedMs: number;
}

export interface Stop {
  readonly reason: StopReason;
  /** Keep text.slice(0, cutAt); the whole text when absent. */
  readonly cutAt?: number;
  /** The last token triggered the stop and is not part of the result (EOS). */
  readonly dropLastToken?: boolean;
}

export type StoppingCriterion = (state: GenerationState) => Stop | undefined;

export function eos(eosTokenId: number | undefined): StoppingCriterion {
  return ({ newIds }) => (eosTokenId !== undefined && newIds[newIds.length - 1] === eosTokenId ? { reason: 'eos', dropLastToken: true } : undefined);
}

export function maxNewTokens(n: number): StoppingCriterion {
  return ({ newIds }) => (newIds.length >= n ? { reason: 'max-tokens' } : undefined);
}

export function deadline(ms: number): StoppingCriterion {
  return ({ elapsedMs }) => (elapsedMs >= ms ? { reason: 'deadline' } : undefined);
}

export function newline(policy: NewlinePolicy): StoppingCriterion {
  if (policy === 'none') return () => undefined;
  const reason = policy === 'singleLine' ? 'newline' : 'blank-line';
  return ({ text }) => {
    const cutAt = newlineCut(text, policy);
    return cutAt === undefined ? undefined : { reason, cutAt };
  };
}

export function firstStop(criteria: readonly StoppingCriterion[], state: GenerationState): Stop | undefined {
  for (const c of criteria) {
    const stop = c(state);
    if (stop) return stop;
  }
  return undefined;
}
