// Ollama's native API. Checked against docs/api.md (https://github.com/ollama/ollama/blob/main/docs/api.md,
// "Generate a completion", "List Local Models") and https://docs.ollama.com/api/streaming:
//   POST /api/generate {model, prompt, suffix, raw, stream, options {num_predict, temperature,
//                       top_k, top_p, repeat_penalty, stop, seed}, keep_alive}
//   `suffix` is honoured only when the model's template has .Suffix (the server lays out FIM);
//   `raw: true` sends the prompt as it is (the client's FIM template).
//   stream: NDJSON (application/x-ndjson), one `{"response", "done": false}` per line; the last
//           has done: true, done_reason and the counts. An error may arrive as a `{"error": "..."}`
//           line in a 200 stream, or as the body of a 4xx/5xx.
//   GET /api/tags: {"models": [{"name", "model", ...}]} — also the health probe. No API key.
// A suffix for a model whose template has no .Suffix is refused: 400 {"error": "<model> does not
// support insert"}; then the text before the cursor goes alone, raw.
import { commonErrorMessage, parseJson, type Dialect } from '../dialect';

export const ollama: Dialect = {
  backend: 'ollama',
  label: 'Ollama',
  framing: 'ndjson',
  serverFim: true,
  usesKey: false,
  refusesServerFim: (status, message) => status === 400 && /does not support insert/i.test(message),
  request(input, fallback = false) {
    const p = input.params;
    const options = {
      num_predict: p.maxTokens,
      temperature: p.temperature,
      top_k: p.topK,
      top_p: p.topP,
      repeat_penalty: p.repetitionPenalty,
      ...(p.stop.length > 0 ? { stop: p.stop } : {}),
      seed: p.seed,
    };
    const prompt = input.clientFim || fallback ? { prompt: input.prompt, raw: true } : { prompt: input.prefix, ...(input.suffix ? { suffix: input.suffix } : {}) };
    return { path: '/api/generate', body: { model: input.model, ...prompt, stream: true, options } };
  },
  parse(data) {
    const json = parseJson(data) as { response?: unknown; done?: unknown; error?: unknown } | undefined;
    if (!json) return { error: `Ollama sent a line that is not JSON: ${data.slice(0, 120)}` };
    if (json.error !== undefined) return { error: commonErrorMessage(data) };
    return { ...(typeof json.response === 'string' && json.response ? { text: json.response } : {}), ...(json.done === true ? { done: true } : {}) };
  },
  errorMessage: (_status, body) => commonErrorMessage(body),
  healthPath: '/api/tags',
  modelsPath: '/api/tags',
  parseModels(body) {
    const models = (body as { models?: unknown } | undefined)?.models;
    return Array.isArray(models) ? models.map((m) => (m as { name?: unknown }).name).filter((n): n is string => typeof n === 'string') : [];
  },
};
