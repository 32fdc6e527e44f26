// What the ONNX graph expects and returns, read from the session, checked against config.json.
import type { InferenceSession } from 'onnxruntime-node';
import { GhostwriterError } from '../core/errors';
import type { ModelConfig } from './model';
import { PREPARED, type KvSlot } from './onnx/rewrite';
import type { KvDtype } from './sequenceCache';

export interface IoSignature {
  /** The graph was rewritten by onnx/rewrite.ts: past in [batch, seq, channels], only new K/V out. */
  readonly prepared: boolean;
  /** Legacy exports compute positions inside the graph. */
  readonly hasPositionIds: boolean;
  /** decoder_model_merged.onnx chooses its branch from this bool input. */
  readonly hasUseCacheBranch: boolean;
  /** Graph input / output names, one per cached tensor, in slot order. */
  readonly pastNames: readonly string[];
  readonly presentNames: readonly string[];
  readonly slots: readonly KvSlot[];
  readonly kvDtype: KvDtype;
}

/** GPT-2's cache as Optimum exports it: a key and a value per layer, [batch, n_head, seq, head_dim]. */
export function kvSlots(config: ModelConfig): KvSlot[] {
  const headDim = config.nEmbd / config.nHead;
  return layerNames('', config.nLayer).flatMap(({ key, value }) =>
    [key, value].map((kind) => ({ past: `past_key_values${kind}`, present: `present${kind}`, layout: 'BHTD' as const, heads: config.nHead, headDim })),
  );
}

/** A prepared graph has exactly the inputs and outputs the rewrite gave it. */
export function readPreparedSignature(session: SessionShape, slots: readonly KvSlot[], path: string): IoSignature {
  const refuse = (what: string) => new GhostwriterError('model-invalid', `${path}: ${what}`, { file: path });
  const pastNames = slots.map((_, i) => PREPARED.past(i));
  const presentNames = slots.map((_, i) => PREPARED.present(i));
  const expected = new Set(['input_ids', 'attention_mask', 'position_ids', ...pastNames]);
  const unexpected = session.inputNames.filter((n) => !expected.has(n));
  if (unexpected.length > 0) throw refuse(`the prepared graph has unexpected inputs ${unexpected.join(', ')}`);
  for (const n of [...pastNames, 'input_ids', 'attention_mask']) if (!session.inputNames.includes(n)) throw refuse(`the prepared graph has no input ${n}`);
  for (const n of ['logits', ...presentNames]) if (!session.outputNames.includes(n)) throw refuse(`the prepared graph has no output ${n}`);
  const meta = metadataByName(session.inputMetadata);
  return {
    prepared: true,
    hasPositionIds: session.inputNames.includes('position_ids'),
    hasUseCacheBranch: false,
    pastNames,
    presentNames,
    slots,
    kvDtype: floatType(meta.get(pastNames[0])?.type, refuse, pastNames[0]),
  };
}

type SessionShape = Pick<InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata' | 'outputMetadata'>;

export function readSignature(session: SessionShape, config: ModelConfig, onnxPath: string): IoSignature {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const refuse = (what: string) => new GhostwriterError('model-invalid', `${onnxPath}: ${what}`, { file: onnxPath });

  for (const name of ['input_ids', 'attention_mask']) {
    if (!inputs.has(name)) throw refuse(`the graph has no input "${name}"; inputs are ${[...inputs].join(', ')}.`);
  }
  if (!outputs.has('logits')) throw refuse(`the graph has no output "logits"; outputs are ${[...outputs].join(', ')}.`);
  if ([...inputs].some((n) => n.endsWith('.key_value'))) {
    throw refuse('it uses a fused key_value cache (gpt_bigcode); this version supports GPT-2-style separate key/value caches only.');
  }

  if (![...inputs].some((n) => n.startsWith('past_key_values.'))) {
    throw refuse('this export has no KV-cache inputs (past_key_values.*); use an export with past, such as onnx/model.onnx or onnx/decoder_model_merged.onnx from Optimum.');
  }
  const pastNames = layerNames('past_key_values', config.nLayer);
  const presentNames = layerNames('present', config.nLayer);
  for (const { key, value } of pastNames) {
    for (const n of [key, value]) if (!inputs.has(n)) throw refuse(`config.json says n_layer ${config.nLayer}, but the graph has no input "${n}".`);
  }
  for (const { key, value } of presentNames) {
    for (const n of [key, value]) if (!outputs.has(n)) throw refuse(`config.json says n_layer ${config.nLayer}, but the graph has no output "${n}".`);
  }
  const known = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch', ...pastNames.flatMap((p) => [p.key, p.value])]);
  const unknown = [...inputs].filter((n) => !known.has(n));
  if (unknown.length > 0) throw refuse(`unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (config.json says n_layer ${config.nLayer}).`);

  const meta = metadataByName(session.inputMetadata);
  const outMeta = metadataByName(session.outputMetadata);
  checkKvShape(meta.get(pastNames[0].key), config, refuse);
  checkVocab(outMeta.get('logits'), config, refuse);
  floatType(outMeta.get('logits')?.type, refuse, 'logits');
  return {
    prepared: false,
    hasPositionIds: inputs.has('position_ids'),
    hasUseCacheBranch: inputs.has('use_cache_branch'),
    pastNames: pastNames.flatMap((p) => [p.key, p.value]),
    presentNames: presentNames.flatMap((p) => [p.key, p.value]),
    slots: kvSlots(config),
    kvDtype: floatType(meta.get(pastNames[0].key)?.type, refuse, pastNames[0].key),
  };
}

function layerNames(prefix: string, nLayer: number) {
  return Array.from({ length: nLayer }, (_, i) => ({ key: `${prefix}.${i}.key`, value: `${prefix}.${i}.value` }));
}

interface TensorMeta {
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}

function metadataByName(list: readonly InferenceSession.ValueMetadata[] | undefined): Map<string, TensorMeta> {
  const map = new Map<string, TensorMeta>();
  for (const m of list ?? []) map.set(m.name, m.isTensor ? { type: m.type, shape: m.shape } : {});
  return map;
}

/** [batch, n_head, past, head_dim]: the fixed dims must agree with config.json. */
function checkKvShape(meta: TensorMeta | undefined, config: ModelConfig, refuse: (w: string) => Error): void {
  const shape = meta?.shape;
  if (!shape || shape.length === 0) return;
  if (shape.length !== 4) throw refuse(`past_key_values.0.key has rank ${shape.length}, expected 4 [batch, n_head, past, head_dim].`);
  const headDim = config.nEmbd / config.nHead;
  if (typeof shape[1] === 'number' && shape[1] !== config.nHead) {
    throw refuse(`past_key_values.0.key has ${shape[1]} heads but config.json says n_head ${config.nHead}.`);
  }
  if (typeof shape[3] === 'number' && shape[3] !== headDim) {
    throw refuse(`past_key_values.0.key has head size ${shape[3]} but config.json says n_embd/n_head = ${headDim}.`);
  }
}

function checkVocab(meta: TensorMeta | undefined, config: ModelConfig, refuse: (w: string) => Error): void {
  const last = meta?.shape?.[meta.shape.length - 1];
  if (typeof last === 'number' && last !== config.vocabSize) {
    throw refuse(`logits have ${last} entries per position but config.json says vocab_size ${config.vocabSize}.`);
  }
}

function floatType(type: string | undefined, refuse: (w: string) => Error, name: string): KvDtype {
  if (type === undefined || type === 'float32') return 'float32';
  if (type === 'float16') return 'float16';
  throw refuse(`"${name}" has element type ${type}; expected float32 or float16.`);
}
