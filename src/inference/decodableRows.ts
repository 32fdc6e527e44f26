// Exports whose embedding has more rows than the tokenizer has tokens (Qwen2.5-Coder: 151,936
// rows, 151,665 tokens; DeepSeek-Coder 1.3B: 32,256 and 32,022; CodeGen: 51,200 and 50,295) give
// logits for ids the tokenizer cannot decode. Those rows never win: they become -Infinity before
// any processor or sampler sees them, so no temperature or top-p can pick one.
import type { StepModel, TokenCache } from './generate';

/** `logits` with every row from `decodable` on set to -Infinity (in place: forward() returns a fresh array). */
export function maskUndecodable(logits: Float32Array, decodable: number): Float32Array {
  if (decodable < logits.length) logits.fill(-Infinity, decodable);
  return logits;
}

/** The model with its logits masked to the first `decodable` rows. */
export function decodableOnly<C extends TokenCache>(model: StepModel<C>, decodable: number): StepModel<C> {
  return {
    forward: async (ids, cache) => maskUndecodable(await model.forward(ids, cache), decodable),
    get maxPositions() {
      return model.maxPositions;
    },
  };
}
