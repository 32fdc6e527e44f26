// Hugging Face text-generation-inference, native routes. Checked against TGI's API docs
// (https://huggingface.github.io/text-generation-inference/, "generate_stream"), its streaming guide
// (https://huggingface.co/docs/text-generation-inference/conceptual/streaming) and the
// TextGenerationStreamOutput type of huggingface.js (packages/inference/src/tasks/nlp/textGenerationStream.ts):
//   POST /generate_stream {inputs, parameters {max_new_tokens, temperature, top_k, top_p,
//                          repetition_penalty, stop (at most 4), seed, do_sample}}
//   stream: SSE `data: {"token": {"id", "text", "logprob", "special"}, "generated_text": null, "details": null}`;
//           the last fills generated_text (and details); no `[DONE]`. An error: `data: {"error", "error_type"}`.
//   GET /health: 200 when ready. GET /info: {"model_id", ...}.
// TGI refuses temperature 0 and top_p 1 (both must be strictly inside their ranges): greedy is
// do_sample false with neither sent. Its /v1/completions refuses `suffix` (422): the client
// builds the FIM prompt (src/core/remote/fimTemplates.ts).
import { commonErrorMessage, parseJson, type Dialect } from '../dialect';

const MAX_STOPS = 4;

export const tgi: Dialect = {
  backend: 'tgi',
  label: 'TGI',
  framing: 'sse',
  serverFim: false,
  usesKey: true,
  request(input) {
    const p = input.params;
    const sample = p.temperature > 0;
    return {
      path: '/generate_stream',
      body: {
        inputs: input.prompt,
        parameters: {
          max_new_tokens: p.maxTokens,
          do_sample: sample,
          ...(sample ? { temperature: p.temperature, ...(p.topK > 0 ? { top_k: p.topK } : {}), ...(p.topP > 0 && p.topP < 1 ? { top_p: p.topP } : {}), seed: p.seed } : {}),
          ...(p.repetitionPenalty > 1 ? { repetition_penalty: p.repetitionPenalty } : {}),
          ...(p.stop.length > 0 ? { stop: p.stop.slice(0, MAX_STOPS) } : {}),
        },
      },
    };
  },
  parse(data) {
    const json = parseJson(data) as { token?: { text?: unknown; special?: unknown }; generated_text?: unknown; error?: unknown } | undefined;
    if (!json) return { error: `TGI sent an event that is not JSON: ${data.slice(0, 120)}` };
    if (json.error !== undefined) return { error: commonErrorMessage(data) };
    // A special token (the end token) has text that is not code.
    const text = json.token && json.token.special !== true && typeof json.token.text === 'string' ? json.token.text : '';
    const done = typeof json.generated_text === 'string';
    return { ...(text ? { text } : {}), ...(done ? { done } : {}) };
  },
  errorMessage: (_status, body) => commonErrorMessage(body),
  healthPath: '/health',
  modelsPath: '/info',
  parseModels(body) {
    const id = (body as { model_id?: unknown } | undefined)?.model_id;
    return typeof id === 'string' ? [id] : [];
  },
};
