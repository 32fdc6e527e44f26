// What each engine's dialect supplies: the completion request, the stream's framing and events,
// its error bodies, the health and model-list routes. One file per engine in dialects/.
import type { Framing } from './stream';

export type RemoteBackend = 'llama.cpp' | 'ollama' | 'openai' | 'tgi';

export interface GenerationParams {
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
  /** Stop strings the server ends the middle at (the FIM template's end tokens); the place's stops run on the client. */
  readonly stop: readonly string[];
  readonly seed: number;
  /** How long the server may generate (llama.cpp's t_max_predict_ms); the client's deadline holds anyway. */
  readonly deadlineMs: number;
}

export interface RemoteInput {
  readonly model: string;
  /** The whole prompt, built by the client (FIM template or prefix only): for engines without server-side FIM. */
  readonly prompt: string;
  /** The text before and after the cursor and the extra context, for engines that build the FIM prompt themselves. */
  readonly prefix: string;
  readonly suffix: string;
  readonly extra: readonly { readonly filename: string; readonly text: string }[];
  /** The client built `prompt` with a FIM template (Ollama: send it raw, no suffix). */
  readonly clientFim: boolean;
  readonly params: GenerationParams;
}

export interface StreamEvent {
  /** New text to append. */
  readonly text?: string;
  /** The server says this was the last event. */
  readonly done?: boolean;
  /** An error the server sent inside a 200 stream (Ollama, TGI, llama.cpp). */
  readonly error?: string;
}

export interface DialectRequest {
  readonly path: string;
  readonly body: unknown;
}

export interface Dialect {
  readonly backend: RemoteBackend;
  /** Shown in the status bar and log: "llama.cpp", "Ollama", "OpenAI-compatible", "TGI". */
  readonly label: string;
  readonly framing: Framing;
  /** The engine builds the FIM prompt itself from prefix and suffix. */
  readonly serverFim: boolean;
  /** Whether it takes a Bearer key (Ollama has none). */
  readonly usesKey: boolean;
  request(input: RemoteInput, fallback?: boolean): DialectRequest;
  /** One event's data (an SSE event's data, an NDJSON line); `[DONE]` is the OpenAI end marker. */
  parse(data: string): StreamEvent;
  /** The engine's own message from an error response's body. */
  errorMessage(status: number, body: string): string;
  /** A GET that answers 200 when the server can take requests. */
  readonly healthPath: string;
  /** A GET listing the served models, and how to read it. */
  readonly modelsPath: string;
  parseModels(body: unknown): string[];
  /**
   * Whether an error answer says the server cannot lay out FIM for this model (llama.cpp's 501,
   * Ollama's "does not support insert"): the request is sent again, at once, with `fallback`
   * (the text before the cursor as the prompt), and so are the later ones.
   */
  refusesServerFim?(status: number, message: string): boolean;
}

/** JSON or undefined. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The common error body shapes: {error: {message}}, {error: "..."}, {message: "..."}, {detail: "..."}; else the text itself. */
export function commonErrorMessage(body: string): string {
  const json = parseJson(body) as Record<string, unknown> | undefined;
  const error = json?.['error'];
  if (typeof error === 'string' && error) return error;
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  for (const key of ['message', 'detail']) if (typeof json?.[key] === 'string') return json[key] as string;
  const text = body.trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** {data: [{id}]} (OpenAI /v1/models). */
export function openAiModels(body: unknown): string[] {
  const data = (body as { data?: unknown } | undefined)?.data;
  return Array.isArray(data) ? data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string') : [];
}
