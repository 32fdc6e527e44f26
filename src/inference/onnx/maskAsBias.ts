// Score masks as an added bias: exports mask the attention scores of every layer with
// Where(mask, scores, lowest), a select over [batch, heads, seq, total] reading a boolean mask
// broadcast over the heads. ONNX Runtime runs that select about twice as slow as an add of the
// same shape (GPT-2-small int8, 512 tokens: 55 ms of the Where against 28 ms of the add, in a
// 300 ms prefill). The mask becomes a bias computed once per mask, Where(mask, 0, lowest),
// added to the scores: a masked score is then lowest plus a score far below lowest's
// precision, and softmax gives it a zero weight either way.
import { ancestry, constantTensor, hasSubgraph, scalarValue, type OnnxGraph, type OnnxNode } from './graph';
import type { Builder } from './rewrite';

// Products with a weight matrix: the LM head is one, and a mask is never computed through one.
export const MATRIX_OPS = ['MatMul', 'Gemm', 'MatMulInteger', 'MatMulNBits', 'FusedMatMul'] as const;
const LEARNED: ReadonlySet<string> = new Set([...MATRIX_OPS, 'Conv', 'Attention', 'MultiHeadAttention', 'GroupQueryAttention']);
const SIZE_ONLY: ReadonlySet<string> = new Set(['Shape', 'Size']);

// The exports fill masked scores with their type's lowest finite value (float32 −3.4e38,
// float16 −65504); anything this low (and finite) gives a zero weight after softmax.
export const MASK_VALUE_AT_MOST = -1e4;

/**
 * Rewrites, in place, every Where that masks scores: its mask computed without learned weights,
 * its scores with them, its other branch a scalar mask value. Returns how many.
 */
export function maskScoresAsBias(b: Builder): number {
  const g = b.graph;
  const produced = b.producers();
  const learned = learnedAncestry(produced);
  const isMaskValue = (t: string) => maskValue(g, produced, t) !== undefined;
  const biases = new Map<string, string>();
  let changed = 0;
  for (const n of [...g.nodes]) {
    if (n.opType !== 'Where' || n.domain !== '' || n.inputs.length !== 3 || learned(n.inputs[0])) continue;
    const [mask, whenTrue, whenFalse] = n.inputs;
    // Which branch is the fill: the mask value where the mask is false (2) or where it is true (1).
    const fillSide = isMaskValue(whenFalse) && !isMaskValue(whenTrue) ? 2 : isMaskValue(whenTrue) && !isMaskValue(whenFalse) ? 1 : 0;
    if (fillSide === 0) continue;
    const fill = n.inputs[fillSide];
    const scores = fillSide === 2 ? whenTrue : whenFalse;
    // Scores come from learned weights (Q·Kᵀ); a Where that builds a mask out of another mask is
    // left alone, since a mask value added to a mask value overflows to −∞.
    if (!learned(scores)) continue;
    const key = `${mask}|${fill}|${fillSide}`;
    let bias = biases.get(key);
    if (!bias) {
      // fill − fill: a zero of the scores' own type, whichever it is.
      const zero = b.op('Sub', [fill, fill]);
      bias = b.op('Where', fillSide === 2 ? [mask, zero, fill] : [mask, fill, zero]);
      biases.set(key, bias);
    }
    g.nodes.splice(g.nodes.indexOf(n), 1, { opType: 'Add', domain: '', name: b.fresh('mask_bias_node'), inputs: [scores, bias], outputs: n.outputs, rawAttrs: [] });
    changed++;
  }
  return changed;
}

/** The value of a scalar initializer or Constant when it is a mask value, else undefined. */
function maskValue(g: OnnxGraph, produced: Map<string, OnnxNode>, t: string): number | undefined {
  const node = produced.get(t);
  const payload = g.initializers.get(t) ?? (node?.opType === 'Constant' ? constantTensor(node) : undefined);
  const value = payload ? scalarValue(payload) : undefined;
  // −∞ is no fill for a bias: fill − fill, the bias's zero, would be NaN.
  return value !== undefined && Number.isFinite(value) && value <= MASK_VALUE_AT_MOST ? value : undefined;
}

/**
 * Whether a tensor is computed through a learned op. A Shape (or Size) reads only the size of
 * what it is given: a mask cut to the length of the keys is still a mask.
 */
function learnedAncestry(produced: ReadonlyMap<string, OnnxNode>): (t: string) => boolean {
  return ancestry(
    produced,
    () => false,
    (n, learned) => LEARNED.has(n.opType) || hasSubgraph(n) || (!SIZE_ONLY.has(n.opType) && n.inputs.some((i) => i !== '' && learned(i))),
  );
}
