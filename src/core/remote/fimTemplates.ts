// The FIM prompt a client builds for engines that do not build it themselves (vLLM, TGI,
// LM Studio and other OpenAI-compatible servers; Ollama in raw mode): the model's own control
// tokens in PSM order, as src/core/promptBuilder.ts lays out the local prompt. The spellings are
// the ones the local adapters read from tokenizers (src/inference/arch/gptBigcode.ts, llama.ts):
// each model card's infilling example, and CodeLlama's paper (`<PRE> P <SUF>S <MID>`). A server
// tokenizes the prompt with special tokens parsed, so these strings become control tokens there.
export type FimTemplateName = 'qwen' | 'starcoder' | 'deepseek' | 'codellama' | 'none';

export interface FimTemplate {
  readonly name: FimTemplateName;
  /** The prompt for a prefix and suffix; 'none' is the prefix alone (the model continues it). */
  build(prefix: string, suffix: string): string;
  /** Text that ends the middle: the server stops at these (the end token, pad, file separators). */
  readonly stops: readonly string[];
  /** The prefix, suffix and middle markers: what a tokenizer must have as special tokens to be this family. */
  readonly markers: readonly string[];
}

function psm(name: FimTemplateName, pre: string, suf: string, mid: string, stops: readonly string[]): FimTemplate {
  return { name, build: (p, s) => `${pre}${p}${suf}${s}${mid}`, stops, markers: [pre, suf, mid] };
}

export const FIM_TEMPLATES: { readonly [K in FimTemplateName]: FimTemplate } = {
  // Qwen/Qwen2.5-Coder model card: <|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>
  qwen: psm('qwen', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|im_end|>']),
  // bigcode/starcoder(2) model card: <fim_prefix>P<fim_suffix>S<fim_middle>
  starcoder: psm('starcoder', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', ['<|endoftext|>', '<fim_pad>', '<file_sep>']),
  // deepseek-coder README: <｜fim▁begin｜>P<｜fim▁hole｜>S<｜fim▁end｜> (full-width bars, U+2581)
  deepseek: psm('deepseek', '<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', ['<｜end▁of▁sentence｜>', '<|EOT|>']),
  // Code Llama paper / Meta's reference: "<PRE> " P " <SUF>" S " <MID>"
  codellama: { name: 'codellama', build: (p, s) => `<PRE> ${p} <SUF>${s} <MID>`, stops: ['<EOT>'], markers: ['<PRE>', '<SUF>', '<MID>'] },
  none: { name: 'none', build: (p) => p, stops: [], markers: [] },
};

/** A template named by the model's name (`Qwen/Qwen2.5-Coder-7B`, `starcoder2:15b`, `deepseek-coder-6.7b-base`), else 'none'. */
export function templateForModelName(model: string): FimTemplateName {
  const m = model.toLowerCase();
  if (m.includes('qwen')) return 'qwen';
  // Not SantaCoder: it spells its markers <fim-prefix> (src/inference/arch/gptBigcode.ts), which no template here writes.
  if (m.includes('starcoder')) return 'starcoder';
  if (m.includes('deepseek')) return 'deepseek';
  if (m.includes('codellama') || m.includes('code-llama') || m.includes('code_llama')) return 'codellama';
  return 'none';
}

/**
 * The family whose three markers are all special tokens of this tokenizer (tokenizer.json's
 * added_tokens, or tokenizer_config.json's added_tokens_decoder): the model's own FIM tokens,
 * whatever it is called. undefined: it has none of them (prefix only).
 */
export function templateFromTokenizer(tokenizerJson: unknown, tokenizerConfig?: unknown): FimTemplateName | undefined {
  const special = new Set<string>();
  const added = (tokenizerJson as { added_tokens?: unknown } | undefined)?.added_tokens;
  if (Array.isArray(added)) for (const t of added) if (t && typeof t.content === 'string') special.add(t.content);
  const decoder = (tokenizerConfig as { added_tokens_decoder?: unknown } | undefined)?.added_tokens_decoder;
  if (decoder && typeof decoder === 'object') for (const t of Object.values(decoder)) if (t && typeof (t as { content?: unknown }).content === 'string') special.add((t as { content: string }).content);
  for (const name of ['qwen', 'starcoder', 'deepseek', 'codellama'] as const) {
    // CodeLlama's tokenizer spells its markers with the SentencePiece space: ▁<PRE>, ▁<SUF>, ▁<MID>.
    const markers = FIM_TEMPLATES[name].markers;
    if (markers.every((m) => special.has(m) || special.has(`▁${m}`))) return name;
  }
  return special.size > 0 ? 'none' : undefined;
}
