// OpenAI-compatible completions: vLLM, LM Studio, llama.cpp's /v1 routes and others. Checked
// against OpenAI's legacy completions reference (https://platform.openai.com/docs/api-reference/completions),
// vLLM's vllm/entrypoints/openai/serving_completion.py (suffix is not supported: 400; the stream
// ends with `data: [DONE]`; a client disconnect aborts the request) and LM Studio's
// OpenAI-compatibility page (https://lmstudio.ai/docs/app/api/endpoints/openai: /v1/models, /v1/completions).
//   POST /v1/completions {model, prompt, max_tokens, temperature, top_p, stop (at most 4), seed, stream: true}
//   stream: SSE `data: {"choices": [{"text", "index", "logprobs", "finish_reason"}]}` … `data: [DONE]`
//   errors: {"error": {"message", "type", "code"}} (older vLLM: {"object": "error", "message", ...})
//   GET /v1/models: {"data": [{"id"}]} — also the health probe (no common /health).
// The FIM prompt is built by the client (src/core/remote/fimTemplates.ts): `suffix` is refused.
import { commonErrorMessage, openAiModels, parseJson, type Dialect } from '../dialect';

/** OpenAI's own limit on stop strings; vLLM takes more, others do not. */
const MAX_STOPS = 4;

export const openai: Dialect = {
  backend: 'openai',
  label: 'OpenAI-compatible',
  framing: 'sse',
  serverFim: false,
  usesKey: true,
  request(input) {
    const p = input.params;
    return {
      path: '/v1/completions',
      body: {
        model: input.model,
        prompt: input.prompt,
        max_tokens: p.maxTokens,
        temperature: p.temperature,
        top_p: p.topP,
        ...(p.stop.length > 0 ? { stop: p.stop.slice(0, MAX_STOPS) } : {}),
        seed: p.seed,
        stream: true,
      },
    };
  },
  parse(data) {
    if (data.trim() === '[DONE]') return { done: true };
    const json = parseJson(data) as { choices?: { text?: unknown; finish_reason?: unknown }[]; error?: unknown; object?: unknown } | undefined;
    if (!json) return { error: `the server sent an event that is not JSON: ${data.slice(0, 120)}` };
    if (json.error !== undefined || json.object === 'error') return { error: commonErrorMessage(data) };
    const choice = json.choices?.[0];
    const text = typeof choice?.text === 'string' ? choice.text : '';
    // A finish_reason ends the choice; some servers close without `[DONE]` after it.
    const done = choice?.finish_reason !== undefined && choice.finish_reason !== null;
    return { ...(text ? { text } : {}), ...(done ? { done } : {}) };
  },
  errorMessage: (_status, body) => commonErrorMessage(body),
  healthPath: '/v1/models',
  modelsPath: '/v1/models',
  parseModels: openAiModels,
};
