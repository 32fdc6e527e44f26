// Everything measured on our side for one model file: load, prefill, decode (EngineClient), then
// first suggestion and the typing replay (CompletionService), then the inference process's peak RSS.
import { CompletionService, prefillFor } from '../src/core/completionService';
import { DEFAULTS, parseSettings, type Settings } from '../src/core/config';
import type { ModelInfo } from '../src/core/protocol';
import { newClient, type BenchLog } from './client';
import type { BenchConfig } from './config';
import type { PromptMaker, SourceFile } from './corpus';
import { decodeBench, dispose, loadBench, prefillBench, removeDirs, type Ctx, type LoadSample, type RunSample } from './engineBench';
import { firstSuggestionBench, type FirstSuggestionSample } from './firstSuggestion';
import { runReplay, type ReplayResult } from './replayRunner';
import { median } from './stats';

export interface OursRaw {
  readonly load: LoadSample[];
  readonly coldInfo: ModelInfo;
  readonly warmInfo: ModelInfo;
  /** Keyed by the size's label ("128", "512", "1024"). */
  readonly prefill: Record<string, RunSample[]>;
  /** The middle size again, in the runs CompletionService asks for while typing (prefillFor('typing')). */
  readonly prefillTyping: RunSample[];
  readonly decode: Record<string, RunSample[]>;
  readonly firstSuggestion: FirstSuggestionSample[];
  /** The model CompletionService loaded (no cacheDir: Settings has none). */
  readonly serviceInfo: ModelInfo | undefined;
  readonly replay: ReplayResult;
}

/** Prompt tokens for a prefill of `size`: n_positions leaves room for the one new token. */
export const prefillTokens = (size: number, nPositions: number) => Math.min(size, nPositions - 1);

export async function benchOurs(ctx: Ctx, cfg: BenchConfig, nPositions: number, prompts: PromptMaker, files: readonly SourceFile[], log: BenchLog, say: (s: string) => void): Promise<OursRaw> {
  const cacheDirs: string[] = [];
  try {
    const load = await loadBench(ctx, cfg.loadReps, cfg.budgetMs.load, cacheDirs);
    say(`load: cold ${Math.round(median(load.samples.map((s) => s.coldMs)))} ms, warm ${Math.round(median(load.samples.map((s) => s.warmMs)))} ms (${load.samples.length} reps)`);
    const client = load.client;
    const prefill: Record<string, RunSample[]> = {};
    const decode: Record<string, RunSample[]> = {};
    let prefillTyping: RunSample[] = [];
    try {
      for (const size of cfg.sizes) {
        // As after a pause (or an explicit request): the service's large runs.
        prefill[size] = await prefillBench(client, prompts, prefillTokens(size, nPositions), cfg.reps, cfg.budgetMs.prefill, prefillFor('paused', DEFAULTS.debounceMs));
        say(`prefill ${size}: ${prefill[size].map((s) => s.prefillMs).join(', ')} ms`);
      }
      // As while typing: small runs first, growing within the default debounce.
      const mid = cfg.sizes[1];
      prefillTyping = await prefillBench(client, prompts, prefillTokens(mid, nPositions), cfg.reps, cfg.budgetMs.prefill, prefillFor('typing', DEFAULTS.debounceMs));
      say(`prefill ${mid} while typing: ${prefillTyping.map((s) => s.prefillMs).join(', ')} ms`);
      for (const size of cfg.sizes) {
        decode[size] = await decodeBench(client, prompts, Math.min(size, nPositions), cfg.decodeNewTokens, cfg.reps, cfg.budgetMs.decode);
        say(`decode ${size}: ${decode[size].map((s) => `${s.decodeMs} ms/${s.newTokens}`).join(', ')}`);
      }
    } finally {
      await dispose(client);
    }

    // The extension's path: CompletionService over its own engine client, loaded by ensureLoaded.
    const service = newClient(ctx.root, ctx.logger);
    const completion = new CompletionService(service, ctx.logger);
    let firstSuggestion: FirstSuggestionSample[];
    let serviceInfo: ModelInfo | undefined;
    try {
      // As the extension reads them: what is not set stays free for the engine to tune to the machine.
      const settings: Settings = parseSettings({ modelPath: ctx.modelDir, modelFile: ctx.modelFile, executionProvider: 'cpu' }).settings;
      const state = await completion.ensureLoaded(settings);
      if (state.kind !== 'ready') throw new Error(`CompletionService did not load the model: ${state.message ?? state.kind}`);
      firstSuggestion = await firstSuggestionBench(completion, service, { ...settings, debounceMs: 0 }, files, cfg.reps, cfg.budgetMs.firstSuggestion, 0);
      say(`first suggestion: cold ${firstSuggestion.map((s) => Math.round(s.coldMs)).join(', ')} ms; after an edit ${firstSuggestion.map((s) => Math.round(s.afterEditMs)).join(', ')} ms`);
      serviceInfo = service.loads[service.loads.length - 1];
    } finally {
      completion.dispose();
      await dispose(service);
    }

    // The replay runs in a process holding only what the extension host holds (replayChild.ts).
    const replay = await runReplay({ root: ctx.root, logFile: log.path, modelDir: ctx.modelDir, modelFile: ctx.modelFile, files, pace: cfg.replay });
    const answered = replay.requests.filter((r) => !r.cancelled).length;
    say(`replay: ${replay.requests.length} requests in ${(replay.durationMs / 1000).toFixed(1)} s, ${answered} answered; event-loop max stall ${replay.eventLoop.maxMs.toFixed(1)} ms`);
    return { load: load.samples, coldInfo: load.coldInfo, warmInfo: load.warmInfo, prefill, prefillTyping, decode, firstSuggestion, serviceInfo, replay };
  } finally {
    removeDirs(cacheDirs);
  }
}
