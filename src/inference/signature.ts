// What the ONNX graph expects and returns, read from the session, checked against config.json.
import type { InferenceSession } from 'onnxruntime-node';
import { GhostwriterError } from '../core/errors';
import { archOf } from './arch';
import type { ModelConfig } from './model';
import { NUM_LOGITS_TO_KEEP, PREPARED, type KvSlot } from './onnx/rewrite';
import { channelsOf, type KvDtype } from './sequenceCache';

export interface IoSignature {
  /** The graph was rewritten by onnx/rewrite.ts: past in [batch, seq, channels], only new K/V out. */
  readonly prepared: boolean;
  /** Legacy exports compute positions inside the graph. */
  readonly hasPositionIds: boolean;
  /** decoder_model_merged.onnx chooses its branch from this bool input. */
  readonly hasUseCacheBranch: boolean;
  /** The graph takes num_logits_to_keep (fed 1: only the last position's logits come back). */
  readonly hasNumLogitsToKeep: boolean;
  /** Graph input / output names, one per cached tensor, in slot order. */
  readonly pastNames: readonly string[];
  readonly presentNames: readonly string[];
  readonly slots: readonly KvSlot[];
  readonly kvDtype: KvDtype;
}

/** The export's cache slots, as the adapter of config.json's model_type describes them. */
export function kvSlots(config: ModelConfig): KvSlot[] {
  return archOf(config).kvSlots(config);
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
    hasNumLogitsToKeep: false,
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
  const slots = kvSlots(config);
  if (!slots.some((s) => inputs.has(s.past)) && ![...inputs].some((n) => n.startsWith('past'))) {
    throw refuse('this export has no KV-cache inputs (past_key_values.*); use an export with past, such as onnx/model.onnx or onnx/decoder_model_merged.onnx from Optimum.');
  }
  if (!inputs.has(slots[0].past)) {
    // Another architecture's cache: the adapter says what it sees, in words.
    const why = archOf(config).diagnoseCache?.(inputs, config);
    if (why) throw refuse(why);
  }
  for (const { past } of slots) if (!inputs.has(past)) throw refuse(`config.json says n_layer ${config.nLayer}, but the graph has no input "${past}".`);
  for (const { present } of slots) if (!outputs.has(present)) throw refuse(`config.json says n_layer ${config.nLayer}, but the graph has no output "${present}".`);
  const known = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch', NUM_LOGITS_TO_KEEP, ...slots.map((s) => s.past)]);
  const unknown = [...inputs].filter((n) => !known.has(n));
  if (unknown.length > 0) throw refuse(`unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (config.json says n_layer ${config.nLayer}).`);

  const meta = metadataByName(session.inputMetadata);
  const outMeta = metadataByName(session.outputMetadata);
  checkKvShape(slots[0], meta.get(slots[0].past), config, refuse);
  checkVocab(outMeta.get('logits'), config, refuse);
  floatType(outMeta.get('logits')?.type, refuse, 'logits');
  return {
    prepared: false,
    hasPositionIds: inputs.has('position_ids'),
    hasUseCacheBranch: inputs.has('use_cache_branch'),
    hasNumLogitsToKeep: inputs.has(NUM_LOGITS_TO_KEEP),
    pastNames: slots.map((s) => s.past),
    presentNames: slots.map((s) => s.present),
    slots,
    kvDtype: floatType(meta.get(slots[0].past)?.type, refuse, slots[0].past),
  };
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

/** The first past tensor's fixed dims must agree with config.json: [batch, heads, past, size] or [batch, past, channels]. */
function checkKvShape(slot: KvSlot, meta: TensorMeta | undefined, config: ModelConfig, refuse: (w: string) => Error): void {
  const shape = meta?.shape;
  if (!shape || shape.length === 0) return;
  const name = slot.past;
  if (slot.layout === 'BTC') {
    if (shape.length !== 3) throw refuse(`${name} has rank ${shape.length}, expected 3 [batch, past, channels].`);
    if (typeof shape[2] === 'number' && shape[2] !== channelsOf(slot)) {
      throw refuse(`${name} has ${shape[2]} channels per position but config.json (n_embd ${config.nEmbd}, n_head ${config.nHead}, model_type ${config.modelType}) implies ${channelsOf(slot)}.`);
    }
    return;
  }
  if (shape.length !== 4) throw refuse(`${name} has rank ${shape.length}, expected 4 [batch, n_head, past, head_dim].`);
  if (typeof shape[1] === 'number' && shape[1] !== slot.heads) {
    const says = slot.heads === config.nHead ? `n_head ${config.nHead}` : `${slot.heads} key/value heads`;
    throw refuse(`${name} has ${shape[1]} heads but config.json says ${says}.`);
  }
  if (typeof shape[3] === 'number' && shape[3] !== slot.headDim) {
    throw refuse(`${name} has head size ${shape[3]} but config.json (n_embd ${config.nEmbd} / n_head ${config.nHead}, model_type ${config.modelType}) implies ${slot.headDim}.`);
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
