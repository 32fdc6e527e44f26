// What the suites beside this file share: the runners' config, `suite` (no tests in the first-run
// phase, which has its own suite), and waiting for an event with a deadline instead of sleeping.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteConfig } from './extension.test';

export const configFile = process.env.GHOSTWRITER_SUITE_CONFIG || join(__dirname, 'suite-config.json');

export const suiteConfig = (existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : { models: {} }) as SuiteConfig;

export const suite = suiteConfig.phase === 'first-run' ? () => undefined : describe;

/** Polls `probe` every 50 ms until it gives a value; fails after `timeoutMs`, naming `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
