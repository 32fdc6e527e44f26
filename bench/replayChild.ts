// The typing replay in a process of its own, holding only what the extension host holds for
// Ghostwriter (CompletionService over an EngineClient): its event-loop stall is the extension
// side's, not the bench's (corpora, tokenizer, results).
import { createWriteStream } from 'node:fs';
import { CompletionService } from '../src/core/completionService';
import { parseSettings, type ModelFile } from '../src/core/config';
import { createLogger } from '../src/core/logger';
import { replyOnce } from './childResult';
import { newClient } from './client';
import { cpuMs, EventLoopProbe, peakRssMb } from './procStats';
import { replayFile, type FileReplay, type ReplayPace, type RequestRecord } from './replay';
import type { SourceFile } from './corpus';

export interface ReplayJob {
  readonly root: string;
  readonly logFile: string;
  readonly modelDir: string;
  readonly modelFile: ModelFile;
  readonly files: readonly SourceFile[];
  readonly pace: ReplayPace;
}

process.once('message', (job: ReplayJob) => replyOnce(run(job)));

async function run(job: ReplayJob) {
  // Buffered, as a log channel is: a synchronous write per line would be the bench's own stall.
  const out = createWriteStream(job.logFile, { flags: 'a' });
  const logger = createLogger((level, message) => out.write(`${new Date().toISOString()} replay ${level} ${message}\n`));
  const client = newClient(job.root, logger);
  const service = new CompletionService(client, logger);
  try {
    // As the extension reads them: what is not set stays free for the engine to tune to the machine.
    const settings = parseSettings({ modelPath: job.modelDir, modelFile: job.modelFile, executionProvider: 'cpu' }).settings;
    const state = await service.ensureLoaded(settings);
    if (state.kind !== 'ready') throw new Error(`CompletionService did not load the model: ${state.message ?? state.kind}`);
    const requests: RequestRecord[] = [];
    const files: FileReplay[] = [];
    const probe = new EventLoopProbe();
    const started = performance.now();
    // The model is loaded: what the replay's requests cost in CPU is counted from here, in both processes.
    const cpuBefore = { inference: cpuMs(client.pid), extension: process.cpuUsage() };
    probe.start();
    for (let i = 0; i < job.files.length; i++) files.push(await replayFile(service, settings, job.files[i], { ...job.pace, seed: job.pace.seed + i }, requests));
    const eventLoop = probe.stop();
    const inferenceAfter = cpuMs(client.pid);
    const extension = process.cpuUsage(cpuBefore.extension);
    const cpu = {
      inferenceMs: inferenceAfter !== undefined && cpuBefore.inference !== undefined ? inferenceAfter - cpuBefore.inference : undefined,
      extensionMs: (extension.user + extension.system) / 1000,
    };
    return { requests, engine: [...client.records], files, durationMs: performance.now() - started, eventLoop, peakRssMb: peakRssMb(client.pid), cpu };
  } finally {
    service.dispose();
    client.dispose();
    await new Promise((resolve) => out.end(resolve));
  }
}
