// Real source code the project did not write, for prompts, snippets and the typing replay:
// files from node_modules (installed by `npm ci`) and Debian's Python standard library.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TextTokenizer } from '../src/core/tokenizer';

export interface SourceFile {
  /** Path relative to the repo root, or absolute outside it. */
  readonly path: string;
  readonly languageId: string;
  readonly text: string;
}

/** Candidates per language, best first; the first that exists is used. */
const CANDIDATES: { readonly [lang: string]: readonly string[] } = {
  typescript: [
    'node_modules/@azure/msal-common/src/cache/CacheManager.ts',
    'node_modules/@azure/msal-common/src/client/AuthorizationCodeClient.ts',
    'node_modules/onnxruntime-common/lib/inference-session.ts',
  ],
  javascript: ['node_modules/mocha/lib/runner.js', 'node_modules/mocha/lib/runnable.js', 'node_modules/esbuild/lib/main.js'],
  python: ['argparse.py', 'difflib.py', 'subprocess.py'].flatMap((name) => pythonLibDirs().map((dir) => join(dir, name))),
};

function pythonLibDirs(): string[] {
  if (!existsSync('/usr/lib')) return [];
  return readdirSync('/usr/lib')
    .filter((n) => /^python3(\.\d+)?$/.test(n))
    .sort()
    .reverse()
    .map((n) => join('/usr/lib', n));
}

function read(root: string, path: string): string | undefined {
  const full = path.startsWith('/') ? path : join(root, path);
  return existsSync(full) ? readFileSync(full, 'utf8').replace(/\r\n/g, '\n') : undefined;
}

/** One TypeScript, one JavaScript and one Python file; a language with no file found is left out (and named in `missing`). */
export function replayFiles(root: string): { files: SourceFile[]; missing: string[] } {
  const files: SourceFile[] = [];
  const missing: string[] = [];
  for (const [languageId, paths] of Object.entries(CANDIDATES)) {
    const path = paths.find((p) => read(root, p) !== undefined);
    if (path) files.push({ path, languageId, text: read(root, path)! });
    else missing.push(languageId);
  }
  return { files, missing };
}

/** A large JavaScript file, cut into many distinct prompts. */
export const PROMPT_CORPUS = 'node_modules/typescript/lib/typescript.js';

export function promptCorpus(root: string): SourceFile {
  const text = read(root, PROMPT_CORPUS);
  if (text === undefined) throw new Error(`${PROMPT_CORPUS} is missing: run npm ci first.`);
  return { path: PROMPT_CORPUS, languageId: 'javascript', text };
}

export interface ExactPrompt {
  readonly text: string;
  readonly ids: number[];
  /** Where in the corpus the text starts. */
  readonly offset: number;
}

/**
 * Hands out prompts of an exact token count, each from a part of the corpus no earlier prompt
 * used, starting at a line start: no two prompts share a prefix, so no prompt cache can serve one.
 */
export class PromptMaker {
  private cursor: number;

  constructor(
    private readonly corpus: SourceFile,
    private readonly tokenizer: TextTokenizer,
    startFraction = 0.05,
  ) {
    this.cursor = this.lineStartAfter(Math.floor(corpus.text.length * startFraction));
  }

  exact(tokens: number): ExactPrompt {
    for (let attempt = 0; attempt < 20; attempt++) {
      const offset = this.cursor;
      const text = this.cut(offset, tokens);
      // Move past this prompt (and a little more), whether it fitted or not.
      this.cursor = this.lineStartAfter(offset + Math.max(text?.length ?? 0, 200) + 1);
      if (text !== undefined) return { text, ids: this.tokenizer.encode(text), offset };
    }
    throw new Error(`could not cut a prompt of exactly ${tokens} tokens from ${this.corpus.path}`);
  }

  /** Text from offset that encodes to exactly n tokens, or undefined. */
  private cut(offset: number, n: number): string | undefined {
    const text = this.corpus.text;
    let window = text.slice(offset, offset + n * 12);
    let ids = this.tokenizer.encode(window);
    if (ids.length < n) {
      window = text.slice(offset, offset + n * 40);
      ids = this.tokenizer.encode(window);
      if (ids.length < n) return undefined;
    }
    // Decoding the first n tokens usually encodes back to the same n; when the cut split a word
    // differently, drop characters from the end until it does.
    let candidate = this.tokenizer.decode(ids.slice(0, n));
    for (let trim = 0; trim < 16 && candidate.length > 0; trim++) {
      const count = this.tokenizer.encode(candidate).length;
      if (count === n) return candidate;
      if (count < n) return undefined;
      candidate = candidate.slice(0, -1);
    }
    return undefined;
  }

  private lineStartAfter(offset: number): number {
    const text = this.corpus.text;
    const nl = text.indexOf('\n', offset);
    // Wrap around at the end of the corpus.
    return nl < 0 || nl + 1 >= text.length - 10_000 ? 0 : nl + 1;
  }
}

export interface Snippet {
  /** The document: `lines` lines of code, then the lines after them. */
  readonly document: string;
  /** The cursor: at the end of the snippet's last line, typed half-way (the rest is not there yet). */
  readonly offset: number;
  /** The character that really comes next on that line. */
  readonly next: string;
  readonly languageId: string;
  readonly path: string;
}

/**
 * A document of `lines` lines of real code (and a few more after the cursor) from file `index`
 * mod the files, at a different place for each index; the last line is typed half-way and the
 * cursor ends it (as while typing: the rest of that line is not written yet), so the next
 * character is real code to type.
 */
export function snippet(files: readonly SourceFile[], index: number, lines = 80): Snippet {
  const file = files[index % files.length];
  const all = file.text.split('\n');
  const round = Math.floor(index / files.length);
  const usable = Math.max(1, all.length - lines - 30);
  // Spread the start over the file; each round moves by a golden-ratio step so starts do not repeat.
  let start = Math.floor((((round + 1) * 0.618034) % 1) * usable);
  // The last line must have code on it to put the cursor inside.
  let last = start + lines - 1;
  while (last < all.length - 1 && all[last].trim().length < 8) {
    start++;
    last++;
  }
  const before = all.slice(start, last).join('\n') + '\n';
  const line = all[last];
  const indent = line.length - line.trimStart().length;
  const cut = indent + Math.ceil((line.length - indent) / 2);
  const after = all.slice(last + 1, last + 21).join('\n');
  return {
    document: before + line.slice(0, cut) + '\n' + after,
    offset: before.length + cut,
    next: line[cut],
    languageId: file.languageId,
    path: `/bench/snippet-${index}${extension(file.languageId)}`,
  };
}

export function extension(languageId: string): string {
  return languageId === 'typescript' ? '.ts' : languageId === 'python' ? '.py' : '.js';
}
