// The extension's engine client, forked on the bundled dist/inference.js exactly as the extension
// does, observed: every complete() result is recorded (CompletionService does not expose timings).
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { EngineClient, forkInference } from '../src/core/engineClient';
import { createLogger, type Logger } from '../src/core/logger';
import type { CompletionResult, ModelInfo, Timings } from '../src/core/protocol';

export interface EngineRecord {
  /** performance.now() when complete() was called. */
  readonly startedAt: number;
  readonly wallMs: number;
  /** complete() resolved to nothing: aborted, superseded or the process died. */
  readonly aborted: boolean;
  readonly error?: string;
  readonly promptTokenIds?: readonly number[];
  readonly timings?: Timings;
  readonly tokenIds?: readonly number[];
  readonly stopReason?: string;
}

export class ObservedEngineClient extends EngineClient {
  readonly records: EngineRecord[] = [];
  /** What each load() answered, CompletionService's included. */
  readonly loads: ModelInfo[] = [];

  override async load(...args: Parameters<EngineClient['load']>): Promise<ModelInfo> {
    const info = await super.load(...args);
    this.loads.push(info);
    return info;
  }

  override async complete(...args: Parameters<EngineClient['complete']>): Promise<CompletionResult | undefined> {
    const startedAt = performance.now();
    try {
      const result = await super.complete(...args);
      this.records.push({
        startedAt,
        wallMs: performance.now() - startedAt,
        aborted: result === undefined,
        ...(result ? { promptTokenIds: result.promptTokenIds, timings: result.timings, tokenIds: result.completions[0]?.tokenIds ?? [], stopReason: result.completions[0]?.stopReason ?? 'none' } : {}),
      });
      return result;
    } catch (err) {
      this.records.push({ startedAt, wallMs: performance.now() - startedAt, aborted: false, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }
}

/** One log file for the whole run: the engine's lines, the inference process's stderr, the peer's. */
export class BenchLog {
  private readonly stream: WriteStream;
  readonly logger: Logger;
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'bench.log');
    this.stream = createWriteStream(this.path, { flags: 'w' });
    this.logger = createLogger((level, message) => this.line(`${level} ${message}`));
  }

  line(text: string): void {
    this.stream.write(`${new Date().toISOString()} ${text}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

export function newClient(root: string, logger: Logger): ObservedEngineClient {
  return new ObservedEngineClient(forkInference(join(root, 'dist', 'inference.js')), logger);
}
