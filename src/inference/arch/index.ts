// The registry: config.json's model_type -> the adapter that reads that architecture. Adding an
// architecture is one file beside this one and one entry below.
import { GhostwriterError } from '../../core/errors';
import { codegen } from './codegen';
import { gpt2 } from './gpt2';
import { gptBigcode } from './gptBigcode';
import { llama, qwen2 } from './llama';
import type { ArchAdapter, ModelConfig, RawConfig } from './types';

export type { ArchAdapter, FimTokenNames, ModelConfig, RawConfig } from './types';

export const ADAPTERS: readonly ArchAdapter[] = [gpt2, codegen, gptBigcode, qwen2, llama];

/** Exports from before model_type was written (and hand-made GPT-2 folders) are GPT-2. */
const DEFAULT_MODEL_TYPE = 'gpt2';

export function supportedModelTypes(): string[] {
  return ADAPTERS.flatMap((a) => a.modelTypes);
}

export function adapterForModelType(modelType: string): ArchAdapter | undefined {
  return ADAPTERS.find((a) => a.modelTypes.includes(modelType));
}

/** The adapter for a parsed config.json; refuses an unknown model_type, naming it and the supported ones. */
export function resolveAdapter(raw: RawConfig, file: string): ArchAdapter {
  const value = raw['model_type'];
  if (value === undefined || value === null) return adapterForModelType(DEFAULT_MODEL_TYPE)!;
  const found = typeof value === 'string' ? adapterForModelType(value) : undefined;
  if (found) return found;
  throw new GhostwriterError(
    'model-invalid',
    `config.json says model_type ${JSON.stringify(value)}, which Ghostwriter does not support; supported model types: ${supportedModelTypes().join(', ')} (${file}).`,
    { file },
  );
}

export function parseModelConfig(raw: RawConfig, file: string): ModelConfig {
  return resolveAdapter(raw, file).parseConfig(raw, file);
}

/** The adapter a ModelConfig was read by. */
export function archOf(config: ModelConfig): ArchAdapter {
  const found = adapterForModelType(config.modelType);
  if (!found) throw new GhostwriterError('internal', `no adapter for model_type ${config.modelType}`);
  return found;
}
