// Fill-in-the-middle with real tokenizer files: detection from tokenizer.json's special tokens
// (the generated gpt_bigcode folder has StarCoder's; GPT-2's has none; a SantaCoder-spelled copy),
// document text spelling a FIM marker, and a generated gpt_bigcode model completing a FIM prompt
// through InferenceEngine (random weights: the text is gibberish, the structure is asserted).
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureModel, TINY_BIGCODE } from '../../scripts/model/generate';
import { composePrompt, detectFim, type FimSpelling } from '../../src/core/promptBuilder';
import { createSnapshot } from '../../src/core/snapshot';
import { loadTokenizer } from '../../src/core/tokenizer';
import { ADAPTERS } from '../../src/inference/arch';
import type { InferenceEngine } from '../../src/inference/engine';
import { loadEngine, modelCopy, tinyModel } from './helpers';
import { options } from './modelChecks';

const SPELLINGS: readonly FimSpelling[] = ADAPTERS.flatMap((a) => a.fimTokens);
/** scripts/model/tokenizerFiles.ts: StarCoder's FIM tokens follow GPT-2's 50257 tokens in this order. */
const IDS = { prefix: 50257, middle: 50258, suffix: 50259, pad: 50260 };

const bigcode = () => ensureModel('tiny-bigcode', TINY_BIGCODE);

describe('FIM detection from the tokenizer files', () => {
  it('the generated gpt_bigcode tokenizer has StarCoder\'s FIM tokens; the ids come from tokenizer.json', async () => {
    const tok = await loadTokenizer(await bigcode());
    assert.equal(tok.specialTokenId('<fim_prefix>'), IDS.prefix);
    assert.equal(tok.specialTokenId('<|endoftext|>'), 50256);
    assert.equal(tok.specialTokenId('fim_prefix'), undefined);
    assert.deepEqual(detectFim(tok, SPELLINGS), { family: 'StarCoder', prefix: IDS.prefix, suffix: IDS.suffix, middle: IDS.middle, stop: [IDS.pad, IDS.prefix, IDS.suffix, IDS.middle] });
  });

  it('a GPT-2 tokenizer has none: prefix-only', async () => {
    const tok = await loadTokenizer(await tinyModel());
    assert.equal(detectFim(tok, SPELLINGS), undefined);
    assert.equal(tok.specialTokenId('<fim_prefix>'), undefined);
  });

  it('SantaCoder\'s spelling (<fim-prefix>…) is found by its tokens, whatever config.json says the model is', async () => {
    const rename = (text: string) => text.replace(/<fim_(prefix|middle|suffix|pad)>/g, '<fim-$1>');
    const copy = modelCopy(await bigcode(), (dir) => {
      for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) writeFileSync(join(dir, f), rename(readFileSync(join(dir, f), 'utf8')));
    });
    try {
      const fim = detectFim(await loadTokenizer(copy.dir), SPELLINGS);
      assert.equal(fim?.family, 'SantaCoder');
      assert.equal(fim?.prefix, IDS.prefix);
    } finally {
      copy.cleanup();
    }
  });

  it('special tokens that are not marked special in tokenizer.json are no FIM tokens', async () => {
    const copy = modelCopy(await bigcode(), (dir) => {
      const file = join(dir, 'tokenizer.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      for (const t of json.added_tokens) if (String(t.content).startsWith('<fim_')) t.special = false;
      writeFileSync(file, JSON.stringify(json));
    });
    try {
      assert.equal(detectFim(await loadTokenizer(copy.dir), SPELLINGS), undefined);
    } finally {
      copy.cleanup();
    }
  });
});

describe('a document that spells FIM markers', () => {
  it('encodes them as text: the FIM prompt holds each control token once, where the layout puts it', async () => {
    const tok = await loadTokenizer(await bigcode());
    const fim = detectFim(tok, SPELLINGS)!;
    const prefix = 's = "<fim_middle>"  # <fim_prefix>\nt = "<|endoftext|>"\n';
    const suffix = '\nu = "<fim_suffix>"\n';
    const ids = tok.encode(prefix);
    assert.ok(!ids.some((id) => id >= 50256), 'no special id from text');
    assert.equal(tok.decode(ids), prefix);
    const p = composePrompt(createSnapshot({ prefix, suffix, languageId: 'python', path: 'x.py', version: 1 }), tok, { budget: 200, fim, suffixShare: 0.25 });
    assert.deepEqual(
      p.ids.flatMap((id, i) => (id >= 50256 ? [[id, i]] : [])),
      [
        [IDS.prefix, 0],
        [IDS.suffix, 1 + p.prefixTokens],
        [IDS.middle, p.ids.length - 1],
      ],
    );
    assert.equal(tok.decode(p.ids.slice(1, 1 + p.prefixTokens)), prefix);
    assert.equal(tok.decode(p.ids.slice(2 + p.prefixTokens, -1)), suffix);
  });
});

describe('a generated gpt_bigcode model completes a FIM prompt through InferenceEngine', () => {
  let engine: InferenceEngine;
  before(async () => {
    engine = await loadEngine(await bigcode());
  });
  after(async () => {
    await engine?.release();
  });

  const prefix = 'def add(a, b):\n';
  const suffix = '\n\nprint(add(1, 2))\n';
  const at = (p: string) => createSnapshot({ prefix: p, suffix, languageId: 'python', path: '/w/add.py', version: 1 });

  it('the prompt is <fim_prefix> prefix <fim_suffix> suffix <fim_middle> and the continuation decodes as the middle', async () => {
    const result = await engine.complete(at(prefix), options({ maxNewTokens: 8, suffixShare: 0.25 }));
    const ids = result.promptTokenIds;
    const s = ids.indexOf(IDS.suffix);
    assert.equal(ids[0], IDS.prefix);
    assert.equal(ids[ids.length - 1], IDS.middle);
    assert.equal(engine.decode(ids.slice(1, s)), prefix);
    assert.equal(engine.decode(ids.slice(s + 1, -1)), suffix);
    assert.equal(result.completions.length, 1);
    const c = result.completions[0];
    assert.ok(c.tokenIds.length >= 1 && c.tokenIds.length <= 8);
    assert.equal(typeof c.text, 'string');
    assert.ok(['eos', 'max-tokens'].includes(c.stopReason), c.stopReason);
    // The middle's text is its tokens decoded (control tokens are no text).
    assert.ok(!Object.values(IDS).some((id) => c.tokenIds.slice(0, -1).includes(id)));
  });

  it('typing on keeps the prompt\'s start cached: only the new prefix tokens, the suffix and <fim_middle> run again', async () => {
    // ' a' then ' +': the typed token does not merge with the one before it.
    const first = await engine.complete(at(prefix + '    return a'), options({ maxNewTokens: 2 }));
    const second = await engine.complete(at(prefix + '    return a +'), options({ maxNewTokens: 2 }));
    const prefixEnd = first.promptTokenIds.indexOf(IDS.suffix);
    assert.deepEqual(second.promptTokenIds.slice(0, prefixEnd), first.promptTokenIds.slice(0, prefixEnd));
    assert.ok((second.timings.cachedTokens ?? 0) >= prefixEnd, `${second.timings.cachedTokens} cached of a ${prefixEnd}-token start`);
  });

  it('never beyond n_positions minus the new tokens', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `x${i} = ${i}`).join('\n') + '\n';
    const maxNewTokens = 16;
    const result = await engine.complete(createSnapshot({ prefix: long, suffix: long, languageId: 'python', path: '/w/long.py', version: 1 }), options({ maxNewTokens, contextTokens: 8192 }));
    assert.ok(result.promptTokenIds.length <= engine.info.nPositions - maxNewTokens, `${result.promptTokenIds.length} tokens`);
    assert.equal(result.promptTokenIds[result.promptTokenIds.length - 1], IDS.middle);
  });
});
