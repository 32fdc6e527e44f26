// The score-mask rewrite (src/inference/onnx/maskAsBias.ts): which Where nodes become an added
// bias, and that the softmax after them gives the same weights as the original graph.
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { encodeOnnxModel, parseModel } from '../../src/inference/onnx/graph';
import { maskScoresAsBias } from '../../src/inference/onnx/maskAsBias';
import { DataType, encodeModel, type NodeDef, type TensorDef } from '../../src/inference/onnx/protoWriter';

const S = 5;
const HEADS = 3;
const LOWEST = -3.4028234663852886e38;

const floatScalar = (name: string, value: number): TensorDef => ({ name, dataType: DataType.FLOAT, dims: [], raw: new Uint8Array(Float32Array.of(value).buffer) });
const int = (value: number) => ({ kind: 'int' as const, value });

/**
 * scores [1, HEADS, S, S] masked by a causal mask [1, 1, S, S] computed from `allowed` (a graph
 * input, optionally through a learned MatMul), filled with `fill`, then softmax over the last axis.
 */
function model(fill: TensorDef | number, opts: { learnedMask?: boolean; fillWhenTrue?: boolean; constantNode?: boolean } = {}): Uint8Array {
  const nodes: NodeDef[] = [];
  const inits: TensorDef[] = [];
  let fillName = 'fill';
  if (typeof fill === 'number') {
    if (opts.constantNode) nodes.push({ opType: 'Constant', name: 'c', inputs: [], outputs: ['fill'], attrs: { value: { kind: 'tensor', value: floatScalar('fill_t', fill) } } });
    else inits.push(floatScalar('fill', fill));
  } else {
    inits.push(fill);
    fillName = fill.name;
  }
  let mask = 'allowed';
  if (opts.learnedMask) {
    inits.push({ name: 'w', dataType: DataType.FLOAT, dims: [S, S], raw: new Uint8Array(Float32Array.from({ length: S * S }, (_, i) => (i % (S + 1) === 0 ? 1 : 0)).buffer) });
    nodes.push({ opType: 'MatMul', name: 'mm', inputs: ['allowed_f', 'w'], outputs: ['learned'] });
    nodes.push({ opType: 'Cast', name: 'cast', inputs: ['learned'], outputs: ['mask'], attrs: { to: int(DataType.BOOL) } });
    mask = 'mask';
  }
  const inputs = opts.fillWhenTrue ? [mask, fillName, 'scores'] : [mask, 'scores', fillName];
  // With the fill on the true side the mask means "masked": negate it so both models mask the same entries.
  if (opts.fillWhenTrue) {
    nodes.push({ opType: 'Not', name: 'not', inputs: [mask], outputs: ['masked'] });
    inputs[0] = 'masked';
  }
  nodes.push({ opType: 'Where', name: 'where', inputs, outputs: ['filled'] });
  nodes.push({ opType: 'Softmax', name: 'softmax', inputs: ['filled'], outputs: ['probs'], attrs: { axis: int(-1) } });
  const graphInputs = [
    { name: 'scores', elemType: DataType.FLOAT, shape: [1, HEADS, S, S] },
    opts.learnedMask ? { name: 'allowed_f', elemType: DataType.FLOAT, shape: [1, 1, S, S] } : { name: 'allowed', elemType: DataType.BOOL, shape: [1, 1, S, S] },
  ];
  const graph = { name: 'g', nodes, initializers: inits, inputs: graphInputs, outputs: [{ name: 'probs', elemType: DataType.FLOAT, shape: [1, HEADS, S, S] }] };
  return encodeModel({ irVersion: 8, opsetVersion: 17, producerName: 'mask-test', producerVersion: '1', graph }).toBytes();
}

function rewrite(bytes: Uint8Array): { bytes: Uint8Array; changed: number; ops: string[] } {
  const parsed = parseModel(bytes);
  let n = 0;
  const changed = maskScoresAsBias(parsed.graph, (base) => `t/${base}_${n++}`);
  // New nodes are appended: order them as a producer-first list for ONNX Runtime.
  const order = ['Constant', 'Not', 'MatMul', 'Cast', 'Sub', 'Where', 'Add', 'Softmax'];
  parsed.graph.nodes.sort((a, b) => order.indexOf(a.opType) - order.indexOf(b.opType));
  return { bytes: encodeOnnxModel(parsed).toBytes(), changed, ops: parsed.graph.nodes.map((x) => x.opType) };
}

async function probs(bytes: Uint8Array, learnedMask = false): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const scores = Float32Array.from({ length: HEADS * S * S }, (_, i) => Math.sin(i * 1.7) * 30);
  const causal = Array.from({ length: S * S }, (_, i) => i % S <= Math.floor(i / S));
  const feeds: Record<string, ort.Tensor> = { scores: new ort.Tensor('float32', scores, [1, HEADS, S, S]) };
  if (learnedMask) feeds['allowed_f'] = new ort.Tensor('float32', Float32Array.from(causal, (c) => (c ? 1 : 0)), [1, 1, S, S]);
  else feeds['allowed'] = new ort.Tensor('bool', Uint8Array.from(causal, (c) => (c ? 1 : 0)), [1, 1, S, S]);
  const out = (await session.run(feeds))['probs'].data as Float32Array;
  await session.release();
  return out;
}

function assertClose(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-6, `index ${i}: ${actual[i]} vs ${expected[i]}`);
}

describe('score masks as an added bias', () => {
  it('turns Where(mask, scores, lowest) into scores + Where(mask, 0, lowest) with the same softmax', async () => {
    const original = model(LOWEST);
    const result = rewrite(original);
    assert.equal(result.changed, 1);
    assert.deepEqual(result.ops.filter((o) => o === 'Add').length, 1);
    const expected = await probs(original);
    assertClose(await probs(result.bytes), expected);
    // The masked entries get exactly zero weight: row 0 attends to position 0 only.
    assert.equal(expected[0], 1);
  });

  it('handles a fill on the true side, a Constant node, and a float16-sized mask value', async () => {
    for (const [fill, opts] of [
      [LOWEST, { fillWhenTrue: true }],
      [LOWEST, { constantNode: true }],
      [-65504, {}],
    ] as const) {
      const original = model(fill, opts);
      const result = rewrite(original);
      assert.equal(result.changed, 1, JSON.stringify(opts));
      assertClose(await probs(result.bytes), await probs(original));
    }
  });

  it('leaves a Where alone when the fill is not a mask value or the mask goes through learned weights', async () => {
    assert.equal(rewrite(model(-1)).changed, 0, 'a fill of −1 is a value, not a mask');
    assert.equal(rewrite(model(0)).changed, 0);
    const learned = rewrite(model(LOWEST, { learnedMask: true }));
    assert.equal(learned.changed, 0, 'a mask computed by a MatMul is data');
    assert.ok(learned.ops.includes('Where'));
  });

  it('builds one bias per mask and fill, shared by every layer that reads them', () => {
    const parsed = parseModel(model(LOWEST));
    // A second "layer" masking other scores with the same mask and fill.
    parsed.graph.nodes.push({ opType: 'Where', domain: '', name: 'where2', inputs: ['allowed', 'probs', 'fill'], outputs: ['filled2'], rawAttrs: [] });
    let n = 0;
    assert.equal(maskScoresAsBias(parsed.graph, (base) => `t/${base}_${n++}`), 2);
    assert.equal(parsed.graph.nodes.filter((x) => x.opType === 'Sub').length, 1);
    assert.equal(parsed.graph.nodes.filter((x) => x.opType === 'Where').length, 1);
  });
});
