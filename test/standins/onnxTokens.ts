// A stand-in server's tokens from our own ONNX engine: the prompt the server got, run greedily
// (or at the temperature asked) with no stops of ours, and streamed one token at a time, each
// piece the text that token adds. So the suggestions through a stand-in can be compared with
// the local engine's, token for token.
import { createSnapshot } from '../../src/core/snapshot';
import type { InferenceEngine } from '../../src/inference/engine';
import type { TokenRequest } from './server';

/** `cache: 'reuse'` keeps the engine's KV cache between requests, as llama.cpp's cache_prompt does (the bench); tests run cold. */
export function onnxTokens(engine: InferenceEngine, { cache = 'cold' as 'cold' | 'reuse' } = {}): (request: TokenRequest) => Promise<string[]> {
  return async ({ prompt, maxTokens, temperature }) => {
    const snapshot = createSnapshot({ prefix: prompt, suffix: '', languageId: 'plaintext', path: 'stand-in-server', version: 1 });
    const result = await engine.complete(snapshot, {
      temperature,
      topK: 0,
      topP: 1,
      repetitionPenalty: 1,
      maxNewTokens: maxTokens,
      contextTokens: 100_000,
      timeoutMs: 60_000,
      newline: 'none',
      numReturnSequences: 1,
      seed: 1,
      cache,
    });
    const ids = result.completions[0]?.tokenIds ?? [];
    const pieces: string[] = [];
    let before = '';
    for (let i = 1; i <= ids.length; i++) {
      const text = engine.decode(ids.slice(0, i));
      pieces.push(text.slice(before.length));
      before = text;
    }
    return pieces;
  };
}
