// Local stand-ins for the completion servers (llama.cpp, Ollama, OpenAI-compatible, TGI) on
// 127.0.0.1, speaking each engine's documented shapes (the dialect files cite them). The tokens
// come from a function (fixed pieces, or our own ONNX engine: onnxTokens.ts). Every frame is
// written in two pieces split in the middle (mid-line, mid-JSON, mid-character), so the client's
// framing is tested against real chunking. Each request is recorded, and whether the client
// closed the connection before the stream ended.
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Emitter } from '../../src/core/events';

export type Dialect = 'llama.cpp' | 'ollama' | 'openai' | 'tgi';

export interface TokenRequest {
  /** The prompt as the engine would run it: the client's prompt, or the server's FIM layout of prefix and suffix. */
  readonly prompt: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly route: string;
  readonly body: Record<string, unknown>;
}

export interface StandInOptions {
  readonly dialect: Dialect;
  /** The pieces to stream for a request. */
  readonly tokens: (request: TokenRequest) => Promise<readonly string[]> | readonly string[];
  /** llama.cpp: the model has FIM tokens (else /infill answers 501). Ollama: its template has .Suffix. */
  readonly fim?: boolean;
  /** OpenAI: end with `data: [DONE]` (default true); some servers end after the finish_reason. */
  readonly done?: boolean;
  /** Before each piece: the test holds the stream here (resolve to go on). */
  readonly beforePiece?: (index: number) => Promise<void> | void;
  /** Answer every completion with this status and body instead (errors as each engine words them). */
  readonly fail?: { readonly status: number; readonly body: string; readonly headers?: Record<string, string> };
  /** Send an error inside the 200 stream after this many pieces. */
  readonly streamErrorAfter?: number;
  readonly models?: readonly string[];
  /** A key the server requires (401 without it). */
  readonly key?: string;
}

export interface RequestRecord {
  readonly route: string;
  readonly body: Record<string, unknown>;
  readonly authorization?: string;
  /** Set when the response ends: whether the client closed the connection before the server finished. */
  closedByClient?: boolean;
  /** Pieces written before it ended. */
  sent: number;
}

export class StandInServer {
  readonly requests: RequestRecord[] = [];
  private readonly endedEmitter = new Emitter<RequestRecord>();
  /** A completion stream ended (finished or closed by the client). */
  readonly onDidEnd = this.endedEmitter.event;
  private server: http.Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';

  constructor(public options: StandInOptions) {}

  async start(port = 0): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Stops listening and drops every connection: the server is down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next stream end. */
  nextEnd(): Promise<RequestRecord> {
    return new Promise((resolve) => {
      const sub = this.onDidEnd((r) => {
        sub.dispose();
        resolve(r);
      });
    });
  }

  completions(): RequestRecord[] {
    return this.requests.filter((r) => !['/health', '/v1/models', '/api/tags', '/info'].includes(r.route));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const o = this.options;
    const route = (req.url ?? '/').split('?')[0];
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const record: RequestRecord = { route, body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), sent: 0 };
    this.requests.push(record);
    if (o.key && req.headers.authorization !== `Bearer ${o.key}` && o.dialect !== 'ollama') return json(res, 401, errorBody(o.dialect, 401, 'Invalid API Key'));
    if (req.method === 'GET') return this.get(route, res);
    const prompt = this.promptOf(route, body);
    if (prompt === undefined) return json(res, 404, errorBody(o.dialect, 404, `no route ${route}`));
    if (prompt instanceof Refusal) return json(res, prompt.status, prompt.body);
    if (o.fail) return json(res, o.fail.status, o.fail.body, o.fail.headers);
    const maxTokens = Number(body['n_predict'] ?? body['max_tokens'] ?? (body['parameters'] as Record<string, unknown> | undefined)?.['max_new_tokens'] ?? (body['options'] as Record<string, unknown> | undefined)?.['num_predict'] ?? 16);
    const temperature = Number(body['temperature'] ?? (body['options'] as Record<string, unknown> | undefined)?.['temperature'] ?? 0);
    const pieces = await o.tokens({ prompt, maxTokens, temperature, route, body });
    res.writeHead(200, { 'content-type': o.dialect === 'ollama' ? 'application/x-ndjson' : 'text/event-stream', 'cache-control': 'no-cache' });
    let closed = false;
    res.on('close', () => {
      closed = !res.writableFinished;
    });
    const write = async (frame: string) => {
      // Two writes, split in the middle: the client sees a line (and maybe a character) cut in two.
      const bytes = Buffer.from(frame, 'utf8');
      const mid = Math.floor(bytes.length / 2);
      res.write(bytes.subarray(0, mid));
      await new Promise((r) => setImmediate(r));
      res.write(bytes.subarray(mid));
    };
    const end = () => {
      record.closedByClient = closed || req.socket.destroyed;
      this.endedEmitter.fire(record);
    };
    try {
      for (let i = 0; i < pieces.length && i < maxTokens; i++) {
        await o.beforePiece?.(i);
        if (closed || res.destroyed) break;
        if (o.streamErrorAfter !== undefined && i === o.streamErrorAfter) {
          await write(streamError(o.dialect));
          res.end();
          return end();
        }
        await write(frame(o.dialect, pieces[i], false));
        record.sent++;
        // Let the client's close arrive before the next piece (a real server notices between tokens).
        await new Promise((r) => setImmediate(r));
      }
      if (!closed && !res.destroyed) {
        await write(frame(o.dialect, '', true));
        if (o.dialect === 'openai' && o.done !== false) await write('data: [DONE]\n\n');
        res.end();
      }
    } finally {
      if (res.writableFinished || closed || res.destroyed) end();
      else res.on('close', end);
    }
  }

  private get(route: string, res: http.ServerResponse): void {
    const models = this.options.models ?? ['stand-in'];
    const d = this.options.dialect;
    if (route === '/health' && (d === 'llama.cpp' || d === 'tgi')) return json(res, 200, JSON.stringify({ status: 'ok' }));
    if (route === '/v1/models' && (d === 'openai' || d === 'llama.cpp')) return json(res, 200, JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model' })) }));
    if (route === '/api/tags' && d === 'ollama') return json(res, 200, JSON.stringify({ models: models.map((name) => ({ name, model: name })) }));
    if (route === '/info' && d === 'tgi') return json(res, 200, JSON.stringify({ model_id: models[0] }));
    return json(res, 404, errorBody(d, 404, 'Not Found'));
  }

  /** The prompt the engine runs, as it lays it out; a Refusal where the engine refuses the request. */
  private promptOf(route: string, body: Record<string, unknown>): string | Refusal | undefined {
    const o = this.options;
    const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    switch (o.dialect) {
      case 'llama.cpp':
        if (route === '/completion') return s('prompt');
        if (route !== '/infill') return undefined;
        if (o.fim === false) return new Refusal(501, errorBody('llama.cpp', 501, 'Infill is not supported by this model'));
        return `<fim_prefix>${((body['input_extra'] as { text: string }[]) ?? []).map((e) => e.text).join('')}${s('input_prefix')}<fim_suffix>${s('input_suffix')}<fim_middle>`;
      case 'openai':
        if (route !== '/v1/completions') return undefined;
        if (body['suffix'] !== undefined) return new Refusal(400, errorBody('openai', 400, 'suffix is not currently supported'));
        return s('prompt');
      case 'tgi':
        if (route !== '/generate_stream') return undefined;
        return s('inputs');
      case 'ollama':
        if (route !== '/api/generate') return undefined;
        if (body['suffix'] !== undefined && o.fim === false) return new Refusal(400, JSON.stringify({ error: `registry.ollama.ai/library/${s('model')} does not support insert` }));
        return body['suffix'] !== undefined ? `<PRE> ${s('prompt')} <SUF>${s('suffix')} <MID>` : s('prompt');
    }
  }
}

class Refusal {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {}
}

function json(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/** Each engine's error body (the shapes the dialect files cite). */
export function errorBody(dialect: Dialect, status: number, message: string): string {
  switch (dialect) {
    case 'llama.cpp':
      return JSON.stringify({ error: { code: status, message, type: status === 501 ? 'not_supported_error' : 'invalid_request_error' } });
    case 'openai':
      return JSON.stringify({ error: { message, type: 'BadRequestError', code: status } });
    case 'tgi':
      return JSON.stringify({ error: message, error_type: 'validation' });
    case 'ollama':
      return JSON.stringify({ error: message });
  }
}

function frame(dialect: Dialect, piece: string, last: boolean): string {
  switch (dialect) {
    case 'llama.cpp':
      return `data: ${JSON.stringify(last ? { content: '', stop: true, tokens_cached: 10, timings: { predicted_n: 1 } } : { content: piece, tokens: [1], stop: false })}\n\n`;
    case 'openai':
      return `data: ${JSON.stringify({ id: 'cmpl-1', object: 'text_completion', choices: [{ index: 0, text: piece, logprobs: null, finish_reason: last ? 'stop' : null }] })}\n\n`;
    case 'tgi':
      return `data: ${JSON.stringify({ index: 1, token: last ? { id: 0, text: '<|endoftext|>', logprob: 0, special: true } : { id: 1, text: piece, logprob: -0.1, special: false }, generated_text: last ? 'all' : null, details: null })}\n\n`;
    case 'ollama':
      return `${JSON.stringify(last ? { model: 'm', response: '', done: true, done_reason: 'stop', eval_count: 3 } : { model: 'm', response: piece, done: false })}\n`;
  }
}

function streamError(dialect: Dialect): string {
  switch (dialect) {
    case 'ollama':
      return `${JSON.stringify({ error: 'model runner has unexpectedly stopped' })}\n`;
    case 'tgi':
      return `data: ${JSON.stringify({ error: 'Request failed during generation: Server error: CUDA out of memory', error_type: 'generation' })}\n\n`;
    default:
      return `data: ${JSON.stringify({ error: { code: 500, message: 'the slot was released', type: 'server_error' } })}\n\n`;
  }
}
