// A copy of the generated tiny model whose text has lines. Its tokenizer is GPT-2's, where a
// line break is one of three tokens the random weights all but never sample; the copy swaps
// two tokens they sample often (" tug", " MX") with the line-break tokens. The weights are
// the tiny model's: only what the ids decode to changes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelCopy, tinyModel } from './helpers';

/** Two vocabulary entries trade ids: the model's token for one decodes as the other. */
export function swapTokens(dir: string, pairs: readonly (readonly [string, string])[]): void {
  const file = join(dir, 'tokenizer.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const vocab: Record<string, number> = json.model.vocab;
  for (const [a, b] of pairs) [vocab[a], vocab[b]] = [vocab[b], vocab[a]];
  writeFileSync(file, JSON.stringify(json));
}

/** The copy's folder, and a cleanup that removes it. */
export async function lineModel(): Promise<{ dir: string; cleanup: () => void }> {
  return modelCopy(await tinyModel(), (dir) => swapTokens(dir, [['Ġtug', 'Ċ'], ['ĠMX', 'ĊÂł']]));
}
