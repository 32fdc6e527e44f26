// The tokens that end a text, as a model folder lists them. transformers' generate() stops at
// every id of generation_config.json's eos_token_id, which may be a list (Qwen2.5-Coder-Instruct:
// [151645, 151643], <|im_end|> and <|endoftext|>); config.json's eos_token_id may be a list too.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger';

/** eos_token_id as a number or a list of numbers; anything else gives none. */
export function tokenIdsOf(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0);
}

/**
 * Every end token of generation_config.json and config.json, deduplicated, generation_config's
 * first. A missing generation_config.json is normal (older exports); an unreadable one is logged
 * and skipped: config.json and the tokenizer still name an end.
 */
export async function readEndTokenIds(dir: string, config: Readonly<Record<string, unknown>>, log?: Logger): Promise<number[]> {
  const ids: number[] = [];
  try {
    const generation = JSON.parse(await readFile(join(dir, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
    ids.push(...tokenIdsOf(generation?.['eos_token_id']));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log?.warn(`${join(dir, 'generation_config.json')} could not be read (${String(err)}); its end tokens are not used`);
  }
  ids.push(...tokenIdsOf(config['eos_token_id']));
  return [...new Set(ids)];
}
