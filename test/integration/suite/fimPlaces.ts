// The places where the suite's scripted FIM models (test/e2e/scriptedFimModel.ts) write known
// text: the runner makes the models (the first name of each list at which the model's picks can
// be scripted: they must not repeat a token or use one of the prompt's), fillAndBlock.test.ts
// types the documents. Not a test file.

export interface FimPlace {
  readonly prefix: string;
  readonly suffix: string;
  readonly languageId: string;
  /** What the model writes there, as tokenizer.json spells its tokens (`Ġ` a space, `Ċ` a line break, `ĉ` a tab). */
  readonly tokens: readonly string[];
}

const NAMES = ['compute', 'render', 'build', 'send', 'check', 'load', 'parse', 'format', 'measure', 'score'];

/** Mid-line, before `)` and more text: the model writes `items[0]) * 2` and a line break. */
export const FILL_PLACES: readonly FimPlace[] = NAMES.map((n) => ({ prefix: `total = ${n}(`, suffix: ') + offset', languageId: 'python', tokens: ['items', '[', '0', '])', 'Ġ*', 'Ġ2', 'Ċ'] }));

/** At the end of a line whose header asks for a value: the model writes ` {`, a line break, `\ta: 1 };` and a blank line. */
export const BLOCK_PLACES: readonly FimPlace[] = ['obj', 'cfg', 'opts', 'data', 'config', 'state', 'props', 'entry', 'point', 'user'].map((n) => ({
  prefix: `const ${n} = `,
  suffix: '',
  languageId: 'javascript',
  tokens: ['Ġ{', 'Ċ', 'ĉ', 'a', ':', 'Ġ1', 'Ġ}', ';', 'ĊĊ'],
}));

/** A scripted model and the place it was scripted for (in the suite's config). */
export interface ScriptedFim {
  readonly model: string;
  readonly prefix: string;
  readonly suffix: string;
}
