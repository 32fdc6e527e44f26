// @huggingface/tokenizers over a model folder's tokenizer.json; special tokens from tokenizer_config.json.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describeCause, GhostwriterError } from './errors';

export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Token id that ends generation, when the tokenizer names one. */
  readonly eosTokenId: number | undefined;
  /** Largest token id + 1, including added tokens. */
  readonly size: number;
  /**
   * The id of a special token (tokenizer.json added_tokens with `special: true`) spelled `name`,
   * e.g. '<fim_prefix>'; undefined when the tokenizer has none. Only such ids are control tokens:
   * encode() never produces them from text.
   */
  specialTokenId(name: string): number | undefined;
}

export async function loadTokenizer(modelDir: string): Promise<TextTokenizer> {
  const json = await readJson(join(modelDir, 'tokenizer.json'));
  const config = await readJson(join(modelDir, 'tokenizer_config.json'));
  const added = Array.isArray(json['added_tokens']) ? (json['added_tokens'] as AddedToken[]) : [];
  let tokenizer: Tokenizer;
  try {
    // Document text must never become a control token: a file spelling <|endoftext|> (or a FIM
    // marker) would steer the model. So the tokenizer does not know the special tokens at all;
    // their ids come from the list in tokenizer.json.
    tokenizer = new Tokenizer({ ...json, added_tokens: added.filter((t) => !t.special) }, config);
  } catch (cause) {
    throw new GhostwriterError('tokenizer-invalid', `tokenizer.json in ${modelDir} could not be read as a tokenizer (${describeCause(cause)}).`, {
      cause,
      file: join(modelDir, 'tokenizer.json'),
    });
  }
  return wrap(tokenizer, added, config);
}

interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special?: boolean;
}

function wrap(tokenizer: Tokenizer, added: readonly AddedToken[], config: Record<string, unknown>): TextTokenizer {
  const special = new Map(added.filter((t) => t.special).map((t) => [t.content, t.id]));
  const specialIds = new Set(special.values());
  const eosName = tokenName(config['eos_token']);
  const eosTokenId = eosName === undefined ? undefined : (special.get(eosName) ?? tokenizer.token_to_id(eosName));
  let size = 0;
  for (const id of tokenizer.get_vocab(true).values()) size = Math.max(size, id + 1);
  for (const t of added) size = Math.max(size, t.id + 1);
  return {
    // Code is encoded as-is: no BOS, no post-processor additions, special tokens spelled out.
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    // Control tokens the model emits are not text. None left (an end token sampled first, as a
    // FIM model with an empty middle does) is the empty text: the tokenizer refuses an empty list.
    decode: (ids) => {
      const text = ids.filter((id) => !specialIds.has(id));
      return text.length === 0 ? '' : tokenizer.decode(text, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
    },
    eosTokenId,
    size,
    specialTokenId: (name) => special.get(name),
  };
}

/** tokenizer_config.json names special tokens as strings or as {content: string}. */
function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new GhostwriterError(
        'model-not-found',
        `The model folder has no ${basename(file)} (${file}). A model folder in the hub layout holds config.json, tokenizer.json and tokenizer_config.json beside onnx/: add the missing file or choose another folder.`,
        { cause, file },
      );
    }
    if (code === 'ENOTDIR') throw new GhostwriterError('model-not-found', `${dirname(file)} is not a folder: choose the model's folder, not a file in it.`, { cause, file });
    throw new GhostwriterError('model-invalid', `${file} could not be read (${describeCause(cause)}).`, { cause, file });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (cause) {
    throw new GhostwriterError('model-invalid', `${basename(file)} is not valid JSON (${file}: ${describeCause(cause)}).`, { cause, file });
  }
}

export { readJson };
