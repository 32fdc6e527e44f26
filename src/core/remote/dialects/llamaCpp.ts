// llama.cpp's llama-server, native routes. Checked against tools/server/README.md
// (https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md, "POST /infill",
// "POST /completion", "GET /health") and PR #9894's README diff (input_extra as [{filename, text}]):
//   POST /infill {input_prefix, input_suffix, input_extra, prompt, n_predict, cache_prompt,
//                 t_max_predict_ms, samplers..., stream}  — the server lays out the FIM prompt with
//                 the model's own tokens; a model without them answers 501 with
//                 {"error": {"code": 501, "message": "Infill is not supported by this model", "type": "not_supported_error"}}
//   POST /completion {prompt, ...the same options}: the fallback, with the client's prompt
//   stream: SSE `data: {"content", "tokens", "stop"}`; the last has stop: true (and timings);
//           no `[DONE]` on these native routes. An error mid-stream is `data: {"error": {...}}`.
//   GET /health: 200 {"status": "ok"}; 503 while the model loads. GET /v1/models lists the model.
// Cancel: the server notices a closed connection between tokens and frees the slot.
import { commonErrorMessage, openAiModels, parseJson, type Dialect, type RemoteInput } from '../dialect';

function sampling(input: RemoteInput) {
  const p = input.params;
  return {
    n_predict: p.maxTokens,
    temperature: p.temperature,
    top_k: p.topK,
    top_p: p.topP,
    repeat_penalty: p.repetitionPenalty,
    stop: p.stop,
    seed: p.seed,
    // Keep the prompt's KV cache in the slot: the next keystroke's prompt shares its start.
    cache_prompt: true,
    t_max_predict_ms: p.deadlineMs,
    stream: true,
  };
}

export const llamaCpp: Dialect = {
  backend: 'llama.cpp',
  label: 'llama.cpp',
  framing: 'sse',
  serverFim: true,
  usesKey: true,
  refusesServerFim: (status) => status === 501,
  request(input, fallback = false) {
    if (fallback) return { path: '/completion', body: { prompt: input.prompt, ...sampling(input) } };
    return {
      path: '/infill',
      body: { input_prefix: input.prefix, input_suffix: input.suffix, input_extra: input.extra, prompt: '', ...sampling(input) },
    };
  },
  parse(data) {
    const json = parseJson(data) as { content?: unknown; stop?: unknown; error?: unknown } | undefined;
    if (!json) return { error: `llama.cpp sent an event that is not JSON: ${data.slice(0, 120)}` };
    if (json.error !== undefined) return { error: commonErrorMessage(data) };
    return { ...(typeof json.content === 'string' && json.content ? { text: json.content } : {}), ...(json.stop === true ? { done: true } : {}) };
  },
  errorMessage: (_status, body) => commonErrorMessage(body),
  healthPath: '/health',
  modelsPath: '/v1/models',
  parseModels: openAiModels,
};
