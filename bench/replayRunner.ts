// Forks bench/replayChild.ts (bundled to out/bench/replayChild.js) for one typing replay.
import { fork } from 'node:child_process';
import { join } from 'node:path';
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
  return new Promise((resolve, reject) => {
    const child = fork(join(job.root, 'out', 'bench', 'replayChild.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (m: { type: 'result'; result: ReplayResult } | { type: 'error'; message: string }) => {
      settled = true;
      if (m.type === 'result') resolve(m.result);
      else reject(new Error(`the replay failed: ${m.message}`));
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => settled || reject(new Error(`the replay process exited (${signal ?? `code ${code}`}) without a result`)));
    child.send(job);
  });
}
