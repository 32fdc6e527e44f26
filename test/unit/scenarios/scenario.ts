// A scenario: a document in cursor notation, `├raw model output┤` at the cursor (the rest is the
// suffix), the line mode if forced, and what the editor must show. Not a test file: the data
// modules beside it list scenarios, scenarios.test.ts runs them.
import type { PostprocessCase } from '../../../src/cliPostprocess';

export interface Scenario {
  /** The behaviour it checks. */
  readonly name: string;
  readonly languageId: string;
  readonly doc: string;
  readonly mode?: 'single' | 'multi';
  /** The suggestion shown (null: none). */
  readonly expected: string | null;
  /** Characters after the cursor it replaces (absent: 0). */
  readonly replaceSuffixChars?: number;
  /** The model saw the suffix (fill-in-the-middle); absent: true, as `postprocess` takes it. */
  readonly fim?: boolean;
}

export function scenario(name: string, languageId: string, doc: string, expected: string | null, extra: { mode?: 'single' | 'multi'; replace?: number; fim?: boolean } = {}): Scenario {
  return { name, languageId, doc, expected, ...(extra.mode ? { mode: extra.mode } : {}), ...(extra.replace ? { replaceSuffixChars: extra.replace } : {}), ...(extra.fim !== undefined ? { fim: extra.fim } : {}) };
}

const EXTENSIONS: Record<string, string> = {
  python: 'py', javascript: 'js', typescript: 'ts', vue: 'vue', go: 'go', rust: 'rs', java: 'java', c: 'c',
  php: 'php', sql: 'sql', yaml: 'yaml', json: 'json', css: 'css', markdown: 'md', plaintext: 'txt',
};

/** The `postprocess` input line for a scenario. */
export function caseOf(s: Scenario): PostprocessCase {
  const open = s.doc.indexOf('├');
  const close = s.doc.indexOf('┤', open + 1);
  if (open < 0 || close < 0) throw new Error(`scenario "${s.name}" needs ├completion┤`);
  return {
    filename: `scenario.${EXTENSIONS[s.languageId] ?? 'txt'}`,
    languageId: s.languageId,
    prefix: s.doc.slice(0, open),
    suffix: s.doc.slice(close + 1),
    completion: s.doc.slice(open + 1, close),
    ...(s.mode ? { mode: s.mode } : {}),
    ...(s.fim !== undefined ? { fim: s.fim } : {}),
  };
}

/** The answer `postprocess` must print for it. */
export function answerOf(s: Scenario): { text: string | null; replaceSuffixChars?: number } {
  return s.replaceSuffixChars ? { text: s.expected, replaceSuffixChars: s.replaceSuffixChars } : { text: s.expected };
}
