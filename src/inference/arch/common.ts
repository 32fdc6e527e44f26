// Reading config.json fields, shared by the adapters: the first of several alias names that is
// present wins, and a missing or malformed field is refused naming every alias and the file.
import { GhostwriterError } from '../../core/errors';
import type { RawConfig } from './types';

export interface ConfigReader {
  /** A positive integer under the first name present; `fallback` when none is. */
  int(names: readonly string[], fallback?: number): number;
  /** A positive integer, or undefined when the field is absent or null. */
  optionalInt(name: string): number | undefined;
  bool(name: string, fallback: boolean): boolean;
  /** eos_token_id: a number, or the first of a list (transformers allows both). */
  eosTokenId(): number | undefined;
  refuse(what: string): GhostwriterError;
}

export function configReader(raw: RawConfig, file: string): ConfigReader {
  const refuse = (what: string) => new GhostwriterError('model-invalid', `config.json ${what} (${file}).`, { file });
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  return {
    int(names, fallback) {
      for (const n of names) if (positive(raw[n])) return raw[n] as number;
      if (fallback !== undefined) return fallback;
      throw refuse(`has no positive integer ${names.join(' / ')}`);
    },
    optionalInt(name) {
      const v = raw[name];
      if (v === undefined || v === null) return undefined;
      if (!positive(v)) throw refuse(`has ${name} ${JSON.stringify(v)}, expected a positive integer or null`);
      return v;
    },
    bool(name, fallback) {
      const v = raw[name];
      if (v === undefined || v === null) return fallback;
      if (typeof v !== 'boolean') throw refuse(`has ${name} ${JSON.stringify(v)}, expected true or false`);
      return v;
    },
    eosTokenId() {
      const v = raw['eos_token_id'];
      if (typeof v === 'number') return v;
      if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
      return undefined;
    },
    refuse,
  };
}

/** n_embd / n_head, refusing a width the heads do not divide. */
export function headDim(nEmbd: number, nHead: number, r: ConfigReader): number {
  if (nEmbd % nHead !== 0) throw r.refuse(`says n_embd ${nEmbd}, which is not divisible by n_head ${nHead}`);
  return nEmbd / nHead;
}
