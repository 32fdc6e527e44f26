// Time to the first suggestion after an edit, through a completion server next to the local
// engine: the same snippets, the same model, the same service. Local: CompletionService and
// EngineClient forking dist/inference.js, as the extension runs. Server: CompletionService,
// the router and the OpenAI-compatible dialect over HTTP on 127.0.0.1 to a stand-in whose tokens
// come from our engine in this process (test/standins/), keeping its KV cache between requests as
// llama.cpp's cache_prompt does. Both explicit (the whole budget, no early answer), greedy,
// debounce 0, no deadline. The stand-in decodes the whole request before it streams, so the server figure is
// the HTTP path's cost on top of a full decode: a figure, not a pass/fail.
import { join } from 'node:path';
import { CompletionService } from '../src/core/completionService';
import { DEFAULTS, type Settings } from '../src/core/config';
import { EngineClient, forkInference } from '../src/core/engineClient';
import { silentLogger } from '../src/core/logger';
import { DIALECTS } from '../src/core/remote/dialects';
import { RemoteSource } from '../src/core/remote/remoteSource';
import { CompletionRouter } from '../src/core/remote/router';
import { InferenceEngine } from '../src/inference/engine';
import { onnxTokens } from '../test/standins/onnxTokens';
import { StandInServer } from '../test/standins/server';
import { snippet, type SourceFile } from './corpus';
import { snippetEdit } from './editorSnapshot';
import { median, p95, round } from './stats';

export interface RemoteLatencyResult {
  readonly reps: number;
  readonly dialect: string;
  readonly localAfterEditMs: { readonly median: number | null; readonly p95: number | null };
  readonly serverAfterEditMs: { readonly median: number | null; readonly p95: number | null };
  /** Requests that reached the stand-in (one per measured edit and one per cold start). */
  readonly serverRequests: number;
  readonly note: string;
}

export async function remoteLatency(root: string, modelDir: string, files: readonly SourceFile[], reps: number, say: (s: string) => void): Promise<RemoteLatencyResult> {
  const settings: Settings = { ...DEFAULTS, modelPath: modelDir, modelFile: 'fp32', debounceMs: 0, temperature: 0, extraContext: false, timeoutMs: 60_000 };
  const client = new EngineClient(forkInference(join(root, 'dist', 'inference.js')), silentLogger);
  const local = new CompletionService(client, silentLogger);
  local.setModelSource(async () => ({ dir: modelDir, name: 'bench' }));
  const engine = await InferenceEngine.load({ modelDir, modelFile: 'fp32', executionProvider: 'cpu' }, silentLogger);
  const server = new StandInServer({ dialect: 'openai', tokens: onnxTokens(engine, { cache: 'reuse' }) });
  // The server's service has an engine client of its own that never starts: with no local model it stops its client.
  const idle = new EngineClient(forkInference(join(root, 'dist', 'inference.js')), silentLogger);
  const router = new CompletionRouter(idle, () => false, silentLogger);
  const remote = new CompletionService(idle, silentLogger);
  try {
    if ((await local.ensureLoaded(settings)).kind !== 'ready') throw new Error(`the local model did not load: ${local.state.message}`);
    router.setServer(new RemoteSource({ dialect: DIALECTS.openai, endpoint: await server.start(), model: 'bench', fimTemplate: 'none' }, silentLogger));
    remote.setCompletionSource(router);
    await remote.ensureLoaded({ ...settings, modelPath: '' });
    const localMs: number[] = [];
    const serverMs: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const { before, after } = snippetEdit(snippet(files, 1000 + rep), settings.contextTokens);
      for (const [service, out] of [
        [local, localMs],
        [remote, serverMs],
      ] as const) {
        await service.complete(before, settings, new AbortController().signal, 'explicit');
        const t0 = performance.now();
        const answer = await service.complete(after, settings, new AbortController().signal, 'explicit');
        if (!answer.cancelled) out.push(performance.now() - t0);
      }
      say(`remote latency: rep ${rep + 1}/${reps}: local ${localMs[localMs.length - 1]?.toFixed(0)} ms, server ${serverMs[serverMs.length - 1]?.toFixed(0)} ms`);
    }
    return {
      reps,
      dialect: 'openai (stand-in on 127.0.0.1, tokens from our engine)',
      localAfterEditMs: { median: round(median(localMs)), p95: round(p95(localMs)) },
      serverAfterEditMs: { median: round(median(serverMs)), p95: round(p95(serverMs)) },
      serverRequests: server.completions().length,
      note: 'CompletionService.complete, explicit trigger (whole token budget), greedy, debounceMs 0, timeoutMs 60000 (no deadline cut on either side), after one character typed at the cursor of an 80-line snippet already asked once. Local: the inference process with its KV cache; server: HTTP + SSE to a stand-in running the same model in the bench process with its KV cache kept, decoding the whole request before streaming.',
    };
  } finally {
    local.dispose();
    remote.dispose();
    router.dispose();
    client.dispose();
    idle.dispose();
    await server.stop();
    await engine.release();
  }
}
