// Each engine's request, events and error bodies, as its docs and code have them (cited in the
// dialect files): what goes out, how each event reads, the engine's own message on an error.
import { strict as assert } from 'node:assert';
import type { RemoteInput } from '../../../src/core/remote/dialect';
import { DIALECTS } from '../../../src/core/remote/dialects';
import { FIM_TEMPLATES, templateForModelName, templateFromTokenizer } from '../../../src/core/remote/fimTemplates';

const input = (o: Partial<RemoteInput> = {}): RemoteInput => ({
  model: 'qwen2.5-coder:7b',
  prompt: '<|fim_prefix|>def f(<|fim_suffix|>)\n<|fim_middle|>',
  prefix: 'def f(',
  suffix: ')\n',
  extra: [{ filename: 'util.py', text: 'X = 1\n' }],
  clientFim: true,
  params: { maxTokens: 32, temperature: 0, topK: 50, topP: 0.95, repetitionPenalty: 1, stop: ['<|endoftext|>', 'a', 'b', 'c', 'd'], seed: 7, deadlineMs: 3000 },
  ...o,
});

describe('remote dialects', () => {
  it('llama.cpp: /infill with input_prefix, input_suffix, input_extra, n_predict, cache_prompt, t_max_predict_ms, stream; /completion as the fallback', () => {
    const r = DIALECTS['llama.cpp'].request(input());
    assert.equal(r.path, '/infill');
    const b = r.body as Record<string, unknown>;
    assert.deepEqual([b['input_prefix'], b['input_suffix'], b['input_extra'], b['n_predict'], b['cache_prompt'], b['t_max_predict_ms'], b['stream']], ['def f(', ')\n', [{ filename: 'util.py', text: 'X = 1\n' }], 32, true, 3000, true]);
    const f = DIALECTS['llama.cpp'].request(input({ prompt: 'def f(' }), true);
    assert.equal(f.path, '/completion');
    assert.equal((f.body as Record<string, unknown>)['prompt'], 'def f(');
    const p = DIALECTS['llama.cpp'].parse;
    assert.deepEqual(p('{"content":"x = ","tokens":[1],"stop":false}'), { text: 'x = ' });
    assert.deepEqual(p('{"content":"","stop":true,"timings":{}}'), { done: true });
    assert.deepEqual(p('{"error":{"code":500,"message":"slot gone","type":"server_error"}}'), { error: 'slot gone' });
    assert.equal(DIALECTS['llama.cpp'].errorMessage(501, '{"error":{"code":501,"message":"Infill is not supported by this model","type":"not_supported_error"}}'), 'Infill is not supported by this model');
  });

  it('OpenAI-compatible: /v1/completions with the client prompt, no suffix, at most 4 stops; [DONE] and finish_reason end it', () => {
    const r = DIALECTS.openai.request(input());
    assert.equal(r.path, '/v1/completions');
    const b = r.body as Record<string, unknown>;
    assert.equal(b['prompt'], input().prompt);
    assert.equal(b['suffix'], undefined);
    assert.equal((b['stop'] as string[]).length, 4);
    assert.deepEqual([b['model'], b['max_tokens'], b['stream']], ['qwen2.5-coder:7b', 32, true]);
    const p = DIALECTS.openai.parse;
    assert.deepEqual(p('{"choices":[{"text":"ab","index":0,"logprobs":null,"finish_reason":null}]}'), { text: 'ab' });
    assert.deepEqual(p('{"choices":[{"text":"","finish_reason":"length"}]}'), { done: true });
    assert.deepEqual(p('[DONE]'), { done: true });
    assert.deepEqual(p('{"object":"error","message":"max_tokens is too large","type":"BadRequestError","code":400}'), { error: 'max_tokens is too large' });
    assert.match(p('not json').error ?? '', /not JSON/);
  });

  it('TGI: /generate_stream with inputs and parameters; greedy sends neither temperature 0 nor top_p 1; special tokens are not text; generated_text ends it', () => {
    const r = DIALECTS.tgi.request(input());
    assert.equal(r.path, '/generate_stream');
    const b = r.body as { inputs: string; parameters: Record<string, unknown> };
    assert.equal(b.inputs, input().prompt);
    assert.deepEqual(b.parameters, { max_new_tokens: 32, do_sample: false, stop: ['<|endoftext|>', 'a', 'b', 'c'] });
    const sampled = DIALECTS.tgi.request(input({ params: { ...input().params, temperature: 0.2, topP: 1 } })).body as { parameters: Record<string, unknown> };
    assert.deepEqual([sampled.parameters['temperature'], sampled.parameters['top_p'], sampled.parameters['top_k']], [0.2, undefined, 50]);
    const p = DIALECTS.tgi.parse;
    assert.deepEqual(p('{"token":{"id":1,"text":" x","logprob":-1,"special":false},"generated_text":null,"details":null}'), { text: ' x' });
    assert.deepEqual(p('{"token":{"id":0,"text":"<|endoftext|>","logprob":0,"special":true},"generated_text":"x","details":null}'), { done: true });
    assert.deepEqual(p('{"error":"Input validation error: `inputs` must have less than 4096 tokens","error_type":"validation"}'), { error: 'Input validation error: `inputs` must have less than 4096 tokens' });
  });

  it('Ollama: /api/generate with prompt and suffix (server FIM) or the raw client prompt; NDJSON {response, done}; an error line', () => {
    const server = DIALECTS.ollama.request(input({ clientFim: false })).body as Record<string, unknown>;
    assert.deepEqual([server['prompt'], server['suffix'], server['raw'], server['stream']], ['def f(', ')\n', undefined, true]);
    assert.deepEqual((server['options'] as Record<string, unknown>)['num_predict'], 32);
    const raw = DIALECTS.ollama.request(input()).body as Record<string, unknown>;
    assert.deepEqual([raw['prompt'], raw['suffix'], raw['raw']], [input().prompt, undefined, true]);
    const p = DIALECTS.ollama.parse;
    assert.deepEqual(p('{"model":"m","response":"x","done":false}'), { text: 'x' });
    assert.deepEqual(p('{"model":"m","response":"","done":true,"done_reason":"stop"}'), { done: true });
    assert.deepEqual(p('{"error":"model runner has unexpectedly stopped"}'), { error: 'model runner has unexpectedly stopped' });
    assert.deepEqual(DIALECTS.ollama.parseModels({ models: [{ name: 'qwen2.5-coder:7b' }, { name: 'starcoder2:3b' }] }), ['qwen2.5-coder:7b', 'starcoder2:3b']);
    assert.equal(DIALECTS.ollama.usesKey, false);
  });

  it('FIM templates: each family\'s spelling in PSM order; the family from a model name or from a tokenizer\'s special tokens', () => {
    assert.equal(FIM_TEMPLATES.qwen.build('P', 'S'), '<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>');
    assert.equal(FIM_TEMPLATES.starcoder.build('P', 'S'), '<fim_prefix>P<fim_suffix>S<fim_middle>');
    assert.equal(FIM_TEMPLATES.deepseek.build('P', 'S'), '<｜fim▁begin｜>P<｜fim▁hole｜>S<｜fim▁end｜>');
    assert.equal(FIM_TEMPLATES.codellama.build('P', 'S'), '<PRE> P <SUF>S <MID>');
    assert.equal(FIM_TEMPLATES.none.build('P', 'S'), 'P');
    assert.deepEqual(['Qwen/Qwen2.5-Coder-7B', 'starcoder2:15b', 'deepseek-coder-6.7b-base', 'codellama:7b-code', 'gpt2'].map(templateForModelName), ['qwen', 'starcoder', 'deepseek', 'codellama', 'none']);
    // SantaCoder's markers are <fim-prefix>…, not StarCoder's <fim_prefix>: no template rather than a wrong one.
    assert.equal(templateForModelName('bigcode/santacoder'), 'none');
    const added = (names: string[]) => ({ added_tokens: names.map((content, id) => ({ id, content, special: true })) });
    assert.equal(templateFromTokenizer(added(['<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>'])), 'qwen');
    assert.equal(templateFromTokenizer(added(['<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>'])), 'starcoder');
    assert.equal(templateFromTokenizer({}, { added_tokens_decoder: { 1: { content: '▁<PRE>' }, 2: { content: '▁<SUF>' }, 3: { content: '▁<MID>' } } }), 'codellama');
    assert.equal(templateFromTokenizer(added(['<|endoftext|>'])), 'none');
    assert.equal(templateFromTokenizer({}), undefined);
  });
});
