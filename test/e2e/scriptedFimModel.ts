// A generated FIM model (gpt_bigcode, StarCoder's FIM tokens, random weights) whose greedy text at
// one place of one document is known: its weights are left alone, and a copy of its tokenizer
// makes the token ids it picks there decode to the tokens of a chosen text (the lineModel trick of
// test/unit/lineModel.ts, made exact). The ids are read from the model on this machine first, so
// the result does not depend on the CPU; the swapped strings are kept out of the prompt, so the
// prompt's ids, and so the model's picks, stay the same; and the copy is checked by running it.
// Each pick must lead the next token clearly, so another order of additions picks the same. The
// extension must load the same file (ghostwriter.modelFile 'fp32': 'auto' takes the int8 one on
// the CPU). The suggestion shown from that text is then a matter of the rules, not of luck.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureModel, TINY_BIGCODE } from '../../scripts/model/generate';
import { DEFAULTS } from '../../src/core/config';
import { silentLogger } from '../../src/core/logger';
import type { CompletionOptions } from '../../src/core/protocol';
import { createSnapshot } from '../../src/core/snapshot';
import { InferenceEngine } from '../../src/inference/engine';
import { modelCopy } from '../unit/helpers';

export interface ScriptedPlace {
  readonly prefix: string;
  readonly suffix: string;
  readonly languageId: string;
  /** The raw text the model is to write there, as tokenizer.json spells its tokens (`Ġ` a space, `Ċ` a line break). */
  readonly tokens: readonly string[];
}

/** Greedy, as the extension decodes at temperature 0 (its default repetition penalty). */
const greedy = (n: number): CompletionOptions => ({
  temperature: 0,
  topK: DEFAULTS.topK,
  topP: DEFAULTS.topP,
  repetitionPenalty: DEFAULTS.repetitionPenalty,
  maxNewTokens: n,
  contextTokens: 128,
  timeoutMs: 120_000,
  newline: 'none',
  numReturnSequences: 1,
  seed: 1,
  cache: 'cold',
});

/**
 * The model's pick at each step must lead the next token by this much (logits): the extension's
 * inference process may add up in another order (its threads, its cached prompt), which moves
 * logits by far less, so it picks the same.
 */
const MIN_LEAD = 0.05;

async function run(dir: string, place: ScriptedPlace, checkLead = false): Promise<{ ids: readonly number[]; text: string; prompt: readonly number[] }> {
  const engine = await InferenceEngine.load({ modelDir: dir, modelFile: 'fp32', executionProvider: 'cpu' }, silentLogger);
  try {
    const snapshot = createSnapshot({ prefix: place.prefix, suffix: place.suffix, languageId: place.languageId, path: 'scripted', version: 1 });
    const r = await engine.complete(snapshot, greedy(place.tokens.length));
    const c = r.completions[0];
    const ids = c?.tokenIds ?? [];
    if (checkLead) {
      for (let i = 0; i < ids.length; i++) {
        const logits = await engine.logitsWithoutCache([...r.promptTokenIds, ...ids.slice(0, i)]);
        let [first, second] = [-Infinity, -Infinity];
        for (const v of logits) {
          if (v > first) [first, second] = [v, first];
          else if (v > second) second = v;
        }
        if (first - second < MIN_LEAD) throw new Error(`step ${i}: the pick leads by ${(first - second).toExponential(2)} only`);
      }
    }
    return { ids, text: c?.text ?? '', prompt: r.promptTokenIds };
  } finally {
    await engine.release();
  }
}

/** The first of `places` where a copy can be scripted: the copy, and the place. Throws with each place's reason where none can. */
export async function firstScriptedFimModel<P extends ScriptedPlace>(places: readonly P[]): Promise<{ dir: string; place: P; cleanup: () => void }> {
  const reasons: string[] = [];
  for (const place of places) {
    try {
      return { ...(await scriptedFimModel(place)), place };
    } catch (err) {
      reasons.push(`${JSON.stringify(place.prefix)}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no place could be scripted:\n${reasons.join('\n')}`);
}

/** A copy of the tiny gpt_bigcode model that writes `place.tokens` at `place` (greedy). Throws, saying why, where it cannot. */
export async function scriptedFimModel(place: ScriptedPlace): Promise<{ dir: string; cleanup: () => void }> {
  const source = await ensureModel('tiny-bigcode', TINY_BIGCODE);
  const { ids, prompt } = await run(source, place, true);
  if (ids.length < place.tokens.length) throw new Error(`the model ended after ${ids.length} of ${place.tokens.length} tokens at ${JSON.stringify(place.prefix)}`);
  const copy = modelCopy(source, (dir) => {
    const file = join(dir, 'tokenizer.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const vocab: Record<string, number> = json.model.vocab;
    const byId = new Map(Object.entries(vocab).map(([s, id]) => [id, s]));
    const inPrompt = new Set(prompt);
    const touched = new Set<number>();
    place.tokens.forEach((want, i) => {
      const picked = ids[i];
      const wanted = vocab[want];
      if (wanted === undefined) throw new Error(`${JSON.stringify(want)} is not one token of the vocabulary`);
      if (picked === wanted) return;
      // The prompt must encode as before, and each id must be swapped once.
      for (const id of [picked, wanted]) {
        if (inPrompt.has(id)) throw new Error(`token ${id} (${JSON.stringify(byId.get(id))}) is in the prompt: choose another text for ${JSON.stringify(want)}`);
        if (touched.has(id)) throw new Error(`token ${id} would be swapped twice (the model repeats itself, or a token is wanted twice)`);
        touched.add(id);
      }
      const pickedString = byId.get(picked)!;
      vocab[want] = picked;
      vocab[pickedString] = wanted;
    });
    writeFileSync(file, JSON.stringify(json));
  });
  try {
    const check = await run(copy.dir, place);
    const expected = place.tokens.join('').replace(/Ġ/g, ' ').replace(/Ċ/g, '\n').replace(/ĉ/g, '\t');
    if (check.text !== expected) throw new Error(`the scripted copy wrote ${JSON.stringify(check.text)}, not ${JSON.stringify(expected)}`);
  } catch (err) {
    copy.cleanup();
    throw err;
  }
  return copy;
}
