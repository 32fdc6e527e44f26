// What of the document goes to the server: the text before the cursor and after it, cut at
// line boundaries to a character budget (the client has no tokenizer for the server's model, so
// the token settings become characters at CHARS_PER_TOKEN), and the extra-context snippets the
// local prompt would hold. The server builds the FIM prompt itself where it can (llama.cpp's
// /infill, Ollama's suffix); otherwise the client lays it out with the model's FIM tokens.
import { extraContextSnippets } from '../extraContext';
import { EXTRA_CONTEXT_SHARE, suffixShareOf } from '../promptBuilder';
import type { CompletionOptions } from '../protocol';
import type { DocumentSnapshot } from '../snapshot';
import { FIM_TEMPLATES, type FimTemplateName } from './fimTemplates';

/** Code averages 3 to 4 characters a token in these models' tokenizers; the lower end keeps the prompt within the token setting. */
export const CHARS_PER_TOKEN = 3;

export interface RemotePromptParts {
  readonly prefix: string;
  readonly suffix: string;
  readonly extra: readonly { readonly filename: string; readonly text: string }[];
  /** The snippets as the local prompt writes them (comments naming their files), joined. */
  readonly extraText: string;
  /** The whole prompt for engines without server-side FIM. */
  readonly prompt: string;
}

/** `withSuffix`: the server sees the text after the cursor (server-side FIM, or a template that is not 'none'). */
export function remotePrompt(snapshot: DocumentSnapshot, options: Pick<CompletionOptions, 'contextTokens' | 'suffixShare'>, template: FimTemplateName, withSuffix = template !== 'none'): RemotePromptParts {
  const budget = options.contextTokens * CHARS_PER_TOKEN;
  const suffixBudget = withSuffix ? Math.floor(budget * suffixShareOf(options)) : 0;
  const suffix = headLines(snapshot.suffix, suffixBudget);
  const snippets: { filename: string; text: string; formatted: string }[] = [];
  let extraChars = 0;
  for (const s of extraContextSnippets(snapshot).reverse()) {
    if (extraChars + s.text.length > budget * EXTRA_CONTEXT_SHARE) continue;
    snippets.unshift({ filename: s.snippet.path, text: s.snippet.text, formatted: s.text });
    extraChars += s.text.length;
  }
  const prefix = tailLines(snapshot.prefix, budget - suffix.length - extraChars);
  const extraText = snippets.map((s) => s.formatted).join('');
  return {
    prefix,
    suffix,
    extra: snippets.map(({ filename, text }) => ({ filename, text })),
    extraText,
    prompt: FIM_TEMPLATES[template].build(extraText + prefix, suffix),
  };
}

/** The end of `text` within `max` characters, starting at a line start (the cursor's line alone too long: its end). */
function tailLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(text.length - Math.max(0, max));
  const nl = cut.indexOf('\n');
  return nl >= 0 ? cut.slice(nl + 1) : cut;
}

/** The start of `text` within `max` characters, ending at a line end. */
function headLines(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const nl = cut.lastIndexOf('\n');
  return nl >= 0 ? cut.slice(0, nl + 1) : cut;
}
