// Stopping criteria, one per file: the token budget, the end-of-sequence token, the deadline,
// the line policy, and those that read the request's context (context.ts).
export { contextCriteria, textCriterion } from './context';
export { deadline } from './deadline';
export { earlyAnswer } from './earlyAnswer';
export { eos } from './eos';
export { maxNewTokens } from './maxNewTokens';
export { newline } from './newline';
export { firstStop, type GenerationState, type Stop, type StopReason, type StoppingCriterion } from './types';
