// The score-mask rewrite (src/inference/onnx/maskAsBias.ts): which Where nodes become an added
// bias, and that the softmax after them gives the same weights as the original graph.
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { encodeOnnxModel, parseModel, scalarValue } from '../../src/inference/onnx/graph';
import { maskScoresAsBias } from '../../src/inference/onnx/maskAsBias';
import { Builder } from '../../src/inference/onnx/rewrite';
import { DataType, encodeModel, encodeTensor, Message, type NodeDef, type TensorDef } from '../../src/inference/onnx/protoWriter';

const S = 5;
const HEADS = 3;
const HEAD_DIM = 4;
const LOWEST = -3.4028234663852886e38;

const floatScalar = (name: string, value: number): TensorDef => ({ name, dataType: DataType.FLOAT, dims: [], raw: new Uint8Array(Float32Array.of(value).buffer) });
const int = (value: number) => ({ kind: 'int' as const, value });

/**
 * Scores [1, HEADS, S, S] = q · kᵀ (or, with `scoresGiven`, a graph input: a mask, not scores)
 * masked by a causal mask [1, 1, S, S] computed from `allowed` (a graph input, optionally through
 * a learned MatMul), filled with `fill`, then softmax over the last axis.
 */
function model(fill: TensorDef | number, opts: { learnedMask?: boolean; fillWhenTrue?: boolean; constantNode?: boolean; scoresGiven?: boolean; maskFromShape?: boolean } = {}): Uint8Array {
  const nodes: NodeDef[] = [];
  if (!opts.scoresGiven) nodes.push({ opType: 'MatMul', name: 'qk', inputs: ['q', 'kt'], outputs: ['scores'] });
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
  if (opts.maskFromShape) {
    // The mask broadcast to the scores' own shape: it reads their size, not their values.
    nodes.push({ opType: 'Shape', name: 'shape', inputs: ['scores'], outputs: ['scores_shape'] });
    nodes.push({ opType: 'Expand', name: 'expand', inputs: [mask, 'scores_shape'], outputs: ['mask_full'] });
    mask = 'mask_full';
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
    ...(opts.scoresGiven
      ? [{ name: 'scores', elemType: DataType.FLOAT, shape: [1, HEADS, S, S] }]
      : [
          { name: 'q', elemType: DataType.FLOAT, shape: [1, HEADS, S, HEAD_DIM] },
          { name: 'kt', elemType: DataType.FLOAT, shape: [1, HEADS, HEAD_DIM, S] },
        ]),
    opts.learnedMask ? { name: 'allowed_f', elemType: DataType.FLOAT, shape: [1, 1, S, S] } : { name: 'allowed', elemType: DataType.BOOL, shape: [1, 1, S, S] },
  ];
  const graph = { name: 'g', nodes, initializers: inits, inputs: graphInputs, outputs: [{ name: 'probs', elemType: DataType.FLOAT, shape: [1, HEADS, S, S] }] };
  return encodeModel({ irVersion: 8, opsetVersion: 17, producerName: 'mask-test', producerVersion: '1', graph }).toBytes();
}

function rewrite(bytes: Uint8Array): { bytes: Uint8Array; changed: number; ops: string[] } {
  const parsed = parseModel(bytes);
  const changed = maskScoresAsBias(new Builder(parsed.graph));
  // New nodes are appended: order them as a producer-first list for ONNX Runtime.
  const order = ['Constant', 'Not', 'MatMul', 'Shape', 'Expand', 'Cast', 'Sub', 'Where', 'Add', 'Softmax'];
  // (Both MatMuls come before what reads them: the mask's Cast and the Where.)
  parsed.graph.nodes.sort((a, b) => order.indexOf(a.opType) - order.indexOf(b.opType));
  return { bytes: encodeOnnxModel(parsed).toBytes(), changed, ops: parsed.graph.nodes.map((x) => x.opType) };
}

async function probs(bytes: Uint8Array, learnedMask = false): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const causal = Array.from({ length: S * S }, (_, i) => i % S <= Math.floor(i / S));
  const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) * 5);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of session.inputNames) {
    if (input === 'q') feeds[input] = new ort.Tensor('float32', values(HEADS * S * HEAD_DIM, 1), [1, HEADS, S, HEAD_DIM]);
    if (input === 'kt') feeds[input] = new ort.Tensor('float32', values(HEADS * S * HEAD_DIM, 2), [1, HEADS, HEAD_DIM, S]);
    if (input === 'scores') feeds[input] = new ort.Tensor('float32', values(HEADS * S * S, 3), [1, HEADS, S, S]);
  }
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

  it('handles a fill on the true side, a Constant node, a float16-sized mask value, and a mask cut to the scores\' shape', async () => {
    for (const [fill, opts] of [
      [LOWEST, { fillWhenTrue: true }],
      [LOWEST, { constantNode: true }],
      [-65504, {}],
      [LOWEST, { maskFromShape: true }],
    ] as const) {
      const original = model(fill, opts);
      const result = rewrite(original);
      assert.equal(result.changed, 1, JSON.stringify(opts));
      assertClose(await probs(result.bytes), await probs(original));
    }
  });

  it('leaves a Where alone when the fill is not a finite mask value or the mask goes through learned weights', async () => {
    assert.equal(rewrite(model(-1)).changed, 0, 'a fill of −1 is a value, not a mask');
    assert.equal(rewrite(model(-Infinity)).changed, 0, '−∞ would make the bias NaN (−∞ − −∞)');
    assert.equal(rewrite(model(0)).changed, 0);
    const learned = rewrite(model(LOWEST, { learnedMask: true }));
    assert.equal(learned.changed, 0, 'a mask computed by a MatMul is data');
    assert.ok(learned.ops.includes('Where'));
  });

  it('leaves a Where alone when what it fills is not computed from weights (a mask built from a mask)', () => {
    assert.equal(rewrite(model(LOWEST, { scoresGiven: true })).changed, 0);
  });

  it('builds one bias per mask and fill, shared by every layer that reads them', () => {
    const parsed = parseModel(model(LOWEST));
    // A second "layer" masking other scores with the same mask and fill.
    parsed.graph.nodes.push({ opType: 'Where', domain: '', name: 'where2', inputs: ['allowed', 'probs', 'fill'], outputs: ['filled2'], rawAttrs: [] });
    assert.equal(maskScoresAsBias(new Builder(parsed.graph)), 2);
    assert.equal(parsed.graph.nodes.filter((x) => x.opType === 'Sub').length, 1);
    assert.equal(parsed.graph.nodes.filter((x) => x.opType === 'Where').length, 1);
  });
});

describe('scalarValue reads a one-element tensor as the exports store it', () => {
  it('float32 in raw_data, float16 bits in raw_data or int32_data, nothing else', () => {
    assert.equal(scalarValue(encodeTensor(floatScalar('a', -2.5)).toBytes()), -2.5);
    const half = new Message().int(2, DataType.FLOAT16).bytes(9, Uint8Array.of(0xff, 0xfb)).toBytes();
    assert.equal(scalarValue(half), -65504);
    const halfInts = new Message().int(2, DataType.FLOAT16).int(5, 0xfbff).toBytes();
    assert.equal(scalarValue(halfInts), -65504);
    const twoFloats = encodeTensor({ name: 'b', dataType: DataType.FLOAT, dims: [2], raw: new Uint8Array(Float32Array.of(1, 2).buffer) }).toBytes();
    assert.equal(scalarValue(twoFloats), undefined);
    const int64 = encodeTensor({ name: 'c', dataType: DataType.INT64, dims: [], raw: new Uint8Array(8) }).toBytes();
    assert.equal(scalarValue(int64), undefined);
  });
});
