// What the bench reads about processes: a child's peak memory, this process's event-loop stalls.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * A memory field of /proc/<pid>/status (VmHWM: the peak resident set; VmRSS: now, the sum of
 * RssAnon, the process's own pages, and RssFile, mapped files such as the native libraries), in
 * MB (2^20 bytes); undefined when it cannot be read (the process is gone).
 */
export function statusMb(pid: number | 'self' | undefined, field: 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile'): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** VmHWM (peak resident set) of a process, in MB (2^20 bytes); undefined when it cannot be read. */
export function peakRssMb(pid: number | undefined): number | undefined {
  return statusMb(pid, 'VmHWM');
}

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on every Linux the bench has met). */
let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time a process has used so far (user + system, all its threads), ms; undefined when it cannot be read. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Waits until a process is gone (after kill), so the next measurement has the CPUs to itself. */
export async function waitForExit(pid: number | undefined, timeoutMs = 10_000): Promise<void> {
  if (pid === undefined) return;
  const until = Date.now() + timeoutMs;
  while (existsSync(`/proc/${pid}`) && !isZombie(pid) && Date.now() < until) await sleep(20);
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The event loop's delay, sampled every millisecond while started. */
export class EventLoopProbe {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });

  start(): void {
    this.histogram.reset();
    this.histogram.enable();
  }

  /** Stops and returns the largest and the 99th-percentile delay, ms. */
  stop(): { maxMs: number; p99Ms: number } {
    this.histogram.disable();
    return { maxMs: this.histogram.max / 1e6, p99Ms: this.histogram.percentile(99) / 1e6 };
  }
}
