// Extra context as the prompt shows it: snippets from other open editors of the same language and
// from recently edited ranges (collected by src/vscode/contextTracker.ts, sent in the snapshot),
// written as comments in the document's language that name their file, deduplicated against the
// text around the cursor and against each other. Pure and deterministic: the same snippets and
// the same window give the same text, so the start of the prompt (and its KV cache) survives
// typing; promptBuilder.ts fits the result into its share of the token budget.
import { syntaxOf } from './completion/codeScan';
import type { ContextSnippet, DocumentSnapshot } from './snapshot';

interface CommentStyle {
  readonly line?: string;
  readonly block?: readonly [string, string];
}

/** Markup where a line comment would be text: an HTML comment (also at the top of a Vue/Svelte file). */
const MARKUP: Readonly<Record<string, CommentStyle>> = {
  html: { block: ['<!--', '-->'] },
  xml: { block: ['<!--', '-->'] },
  markdown: { block: ['<!--', '-->'] },
  vue: { block: ['<!--', '-->'] },
  svelte: { block: ['<!--', '-->'] },
};

/** How the language writes a comment; undefined where it has none (plaintext, JSON): no extra context there. */
export function commentStyle(languageId: string): CommentStyle | undefined {
  if (MARKUP[languageId]) return MARKUP[languageId];
  const syntax = syntaxOf(languageId);
  if (syntax.lineComments.length > 0) return { line: syntax.lineComments[0] };
  if (syntax.blockComment) return { block: syntax.blockComment };
  return undefined;
}

/** One snippet as a comment block ending with a newline: a header naming the file, then its lines. */
export function formatSnippet(snippet: ContextSnippet, style: CommentStyle): string {
  const lines = snippetLines(snippet.text);
  const header = `${snippet.kind === 'edit' ? 'Edited recently in' : 'From'} ${oneLine(snippet.path)}:`;
  if (style.line) {
    const c = style.line;
    return [header, ...lines].map((l) => (l === '' ? c : `${c} ${l}`)).join('\n') + '\n';
  }
  const [open, close] = style.block!;
  // The snippet must not close the comment early: its closers are broken up.
  const broken = close.slice(0, -1) + ' ' + close.slice(-1);
  const body = lines.map((l) => l.split(close).join(broken));
  return `${open} ${header}\n${body.join('\n')}\n${close}\n`;
}

/**
 * The snippets worth showing, in order: not empty, not already in the text around the cursor
 * (the snapshot's prefix and suffix), not contained in a snippet kept before them. Each comes
 * back with its formatted text. No comment syntax for the language: none.
 */
export function extraContextSnippets(snapshot: DocumentSnapshot): { snippet: ContextSnippet; text: string }[] {
  const snippets = snapshot.extraContext ?? [];
  if (snippets.length === 0) return [];
  const style = commentStyle(snapshot.languageId);
  if (!style) return [];
  const window = normalize(snapshot.prefix + snapshot.suffix);
  const kept: { snippet: ContextSnippet; body: string; text: string }[] = [];
  for (const snippet of snippets) {
    const body = normalize(snippet.text).trim();
    if (body === '' || window.includes(body)) continue;
    if (kept.some((k) => k.body.includes(body))) continue;
    kept.push({ snippet, body, text: formatSnippet(snippet, style) });
  }
  return kept.map(({ snippet, text }) => ({ snippet, text }));
}

/** Lines without their endings, trailing whitespace and the blank lines around them. */
function snippetLines(text: string): string[] {
  const lines = normalize(text)
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const normalize = (text: string) => text.replace(/\r\n?/g, '\n');
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');
