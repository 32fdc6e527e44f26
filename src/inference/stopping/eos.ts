// The model's end-of-sequence token ends the completion and is not part of it.
import type { StoppingCriterion } from './types';

export function eos(eosTokenId: number | undefined): StoppingCriterion {
  return ({ newIds }) => (eosTokenId !== undefined && newIds[newIds.length - 1] === eosTokenId ? { reason: 'eos', dropLastToken: true } : undefined);
}
