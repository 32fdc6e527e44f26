// How long a pause is for this typist. While the engine is busy a request waits for a pause
// before asking the model; a fixed wait is too long for a fast typist (every suggestion comes
// that much later) and too short for a slow one (runs start between keys and are aborted).
// The wait is a little longer than the typist's own recent gaps between keys (Tabby's agent
// adapts its debounce to the typing speed too), never longer than `ghostwriter.debounceMs`.

/** Gaps kept: about two seconds of typing. */
const GAPS_KEPT = 24;
/** Fewer gaps than this say nothing yet: the setting's wait. */
const GAPS_NEEDED = 8;
/** A longer gap is a pause, not a keystroke gap. */
const KEY_GAP_AT_MOST_MS = 600;
/** The wait covers this share of the recent gaps… */
const GAP_QUANTILE = 0.9;
/** …with this margin. */
const GAP_MARGIN = 1.1;
/** Never shorter: a burst's gaps are rarely under this, and each early run costs a prefill. */
export const SHORTEST_WAIT_MS = 60;

export class TypingRhythm {
  private readonly gaps: number[] = [];
  private last: number | undefined;

  /** A keystroke's request at `now` (ms). */
  note(now: number): void {
    const gap = this.last === undefined ? undefined : now - this.last;
    this.last = now;
    if (gap === undefined || gap <= 0 || gap > KEY_GAP_AT_MOST_MS) return;
    this.gaps.push(gap);
    if (this.gaps.length > GAPS_KEPT) this.gaps.shift();
  }

  /** The wait for a pause: the recent gaps' 90th percentile with a margin, within [60, `atMost`]. */
  waitMs(atMost: number): number {
    if (this.gaps.length < GAPS_NEEDED) return atMost;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const quantile = sorted[Math.min(sorted.length - 1, Math.ceil(GAP_QUANTILE * sorted.length) - 1)];
    return Math.min(atMost, Math.max(SHORTEST_WAIT_MS, Math.round(quantile * GAP_MARGIN)));
  }
}
