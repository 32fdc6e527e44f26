// Forks bench/replayChild.ts (bundled to out/bench/replayChild.js) for one typing replay.
import { join } from 'node:path';
import { forkForResult } from './childResult';
import type { EngineRecord } from './client';
import type { FileReplay, RequestRecord } from './replay';
import type { ReplayJob } from './replayChild';

export interface ReplayResult {
  readonly requests: RequestRecord[];
  readonly engine: EngineRecord[];
  readonly files: FileReplay[];
  readonly durationMs: number;
  readonly eventLoop: { maxMs: number; p99Ms: number };
  readonly peakRssMb: number | undefined;
  /** CPU time during the replay (the model loaded before it): the inference process's (undefined where /proc cannot be read), the replay process's. */
  readonly cpu?: { readonly inferenceMs: number | undefined; readonly extensionMs: number };
}

export function runReplay(job: ReplayJob): Promise<ReplayResult> {
  return forkForResult<ReplayResult>(join(job.root, 'out', 'bench', 'replayChild.js'), [], { execArgv: [] }, 'the replay', job);
}
