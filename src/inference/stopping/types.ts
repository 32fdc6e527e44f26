// What a stopping criterion is: it looks at the generation so far and may end it, optionally
// cutting the text (a newline that ended a single-line completion is not part of it). A
// criterion may keep state between steps (each is made for one sequence), so a step costs only
// what the step added.
import { earliest, type TextStopReason } from '../../core/completion/stops';

/** 'early': answered before its end (earlyAnswer.ts); the look-ahead decodes on from there. */
export type StopReason = 'eos' | 'max-tokens' | 'deadline' | 'early' | 'aborted' | 'context-full' | TextStopReason;

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
  /** How much of the text decided it (absent: all of it): of several stops, the one that needed the least text wins. */
  readonly seenAt?: number;
  /** The last token triggered the stop and is not part of the result (EOS). */
  readonly dropLastToken?: boolean;
}

export type StoppingCriterion = (state: GenerationState) => Stop | undefined;

/**
 * Asks every criterion, and of those that stop takes the one decoding reaches first (the least
 * text read, then the shortest result, then the first listed): a token that completes two stops
 * at once ends where one character at a time would have.
 */
export function firstStop(criteria: readonly StoppingCriterion[], state: GenerationState): Stop | undefined {
  return earliest(
    criteria.map((c) => c(state)),
    state.text.length,
  );
}
