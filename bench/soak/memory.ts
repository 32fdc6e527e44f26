// Peak memory of the soak's two sides, read from /proc: the inference process (each one, across
// kills and restarts: its VmHWM, sampled while it lives) and this process, the extension side.
import { peakRssMb } from '../procStats';

export interface MemoryPeaks {
  /** Largest VmHWM of any inference process seen, MB (2^20 bytes). */
  readonly inferenceMaxRssMb: number;
  /** This process's peak resident set (getrusage), MB. */
  readonly extensionMaxRssMb: number;
  /** Inference processes sampled. */
  readonly inferenceProcesses: number;
}

const SAMPLE_MS = 100;

export class MemorySampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly peakMb = new Map<number, number>();

  constructor(private readonly pid: () => number | undefined) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** VmHWM is the kernel's own peak, so a sample just before a kill still holds the process's largest size. */
  sample(): void {
    const pid = this.pid();
    if (pid === undefined) return;
    // Gone between the pid and the read (undefined): its last sample stands.
    const mb = peakRssMb(pid);
    if (mb !== undefined) this.peakMb.set(pid, Math.max(this.peakMb.get(pid) ?? 0, mb));
  }

  peaks(): MemoryPeaks {
    return {
      inferenceMaxRssMb: Math.round(Math.max(0, ...this.peakMb.values())),
      extensionMaxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      inferenceProcesses: this.peakMb.size,
    };
  }
}
