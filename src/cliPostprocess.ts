// `ghostwriter postprocess`: replays the extension's post-processing over raw model outputs, for
// scenario suites. One JSON object per stdin line,
//   { "filename", "languageId", "prefix", "suffix", "completion", "mode"?: "single" | "multi", "fim"?: boolean }
// and one per stdout line, { "text": string | null, "replaceSuffixChars"?: number }: the
// suggestion the extension would show (null: none) and how many UTF-16 code units after the
// cursor it replaces (absent: 0). "fim" says whether the model saw the text after the cursor
// (fill-in-the-middle; absent: true, as for the catalog's recommended models): without it a
// cursor before other text on its line gets nothing. The same function as the extension (src/core/completion/suggestion.ts):
// the mid-line gate, the line/block decision when no mode is given, the stops the decoder
// applies (src/core/completion/stops/: line policy, suffix overlap, dedent, block end, repeated lines, a
// closer the suffix has, stop sequences) replayed over the text, the filters. No model is loaded.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { LineMode } from './core/completion/completionPolicy';
import { createSnapshot } from './core/snapshot';
import { suggest } from './core/completion/suggestion';

export const POSTPROCESS_USAGE = `usage: node dist/cli.js postprocess < cases.jsonl
  stdin:  one JSON object per line: { "filename", "languageId", "prefix", "suffix", "completion", "mode"?: "single" | "multi", "fim"?: boolean }
          (fim: the model is fill-in-the-middle, it saw the suffix; absent: true)
  stdout: one JSON object per line: { "text": string | null, "replaceSuffixChars"?: number }`;

export interface PostprocessCase {
  readonly filename?: string;
  readonly languageId?: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly completion: string;
  readonly mode?: 'single' | 'multi';
  /** The model saw the suffix (fill-in-the-middle); absent: true. */
  readonly fim?: boolean;
}

export interface PostprocessAnswer {
  readonly text: string | null;
  readonly replaceSuffixChars?: number;
}

/** The answer for one case, exactly as the extension would show it. */
export function postprocessCase(c: PostprocessCase): PostprocessAnswer {
  const mode: LineMode = c.mode === 'single' ? 'singleLine' : c.mode === 'multi' ? 'multiLine' : 'auto';
  const snapshot = createSnapshot({ prefix: c.prefix, suffix: c.suffix, languageId: c.languageId || 'plaintext', path: c.filename ?? '', version: 1 });
  const s = suggest(c.completion, snapshot, mode, c.fim ?? true);
  if (!s) return { text: null };
  return s.replaceSuffixChars > 0 ? { text: s.text, replaceSuffixChars: s.replaceSuffixChars } : { text: s.text };
}

/** Validates one parsed input line; the message names what is wrong. */
export function parseCase(value: unknown): PostprocessCase {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  const o = value as Record<string, unknown>;
  for (const key of ['prefix', 'suffix', 'completion'] as const) {
    if (typeof o[key] !== 'string') throw new Error(`"${key}" must be a string`);
  }
  for (const key of ['filename', 'languageId'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') throw new Error(`"${key}" must be a string`);
  }
  if (o.mode !== undefined && o.mode !== null && o.mode !== 'single' && o.mode !== 'multi') throw new Error('"mode" must be "single" or "multi"');
  if (o.fim !== undefined && typeof o.fim !== 'boolean') throw new Error('"fim" must be true or false');
  return {
    prefix: o.prefix as string,
    suffix: o.suffix as string,
    completion: o.completion as string,
    ...(typeof o.filename === 'string' ? { filename: o.filename } : {}),
    ...(typeof o.languageId === 'string' ? { languageId: o.languageId } : {}),
    ...(o.mode === 'single' || o.mode === 'multi' ? { mode: o.mode } : {}),
    ...(typeof o.fim === 'boolean' ? { fim: o.fim } : {}),
  };
}

/**
 * Reads cases from `input` until it ends, answering each line as it comes. A line that is not a
 * valid case is answered `{ "text": null, "error": "..." }` (so answers stay in step with the
 * input) and makes the exit status 1; blank lines are skipped.
 */
export async function runPostprocess(args: readonly string[], input: Readable = process.stdin, output: Writable = process.stdout): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    output.write(`${POSTPROCESS_USAGE}\n`);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`error: postprocess takes no arguments, got ${args.join(' ')}\n${POSTPROCESS_USAGE}\n`);
    return 2;
  }
  let status = 0;
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim().length === 0) continue;
    let answer: PostprocessAnswer & { error?: string };
    try {
      answer = postprocessCase(parseCase(JSON.parse(line)));
    } catch (err) {
      const message = `line ${lineNo}: ${err instanceof Error ? err.message : String(err)}`;
      process.stderr.write(`error: ${message}\n`);
      answer = { text: null, error: message };
      status = 1;
    }
    output.write(`${JSON.stringify(answer)}\n`);
  }
  return status;
}
