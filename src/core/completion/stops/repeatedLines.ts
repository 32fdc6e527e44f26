// Small models loop: a line, or a block of lines, said twice in a row. The completion ends
// before the repetition (the cursor's whole line counts as the first line). Each new line is
// compared with the lines just before it: as a repeat of the line above, or as the end of a
// block of k lines that repeats the k before it. The filter dropRepeatedLines and the stop.
//
// The rule runs on every line of every completion, including a model's thousands of blank lines,
// so a line must cost about the same however many came before. A block counts only if it holds
// a line that is not blank, so the second block holds the last such line and starts at most
// there. Each line of the second block has its twin k lines earlier, so the rarest of its last
// few lines says what k can be: only earlier lines equal to it are tried, each compared in one
// step by rolling hashes (then line by line, to be sure).
import { endBefore, type LineRule } from '../lines';
import type { RequestContext } from '../requestContext';
import { lineStop, type TextStop } from './types';

const BASE = 0x9e3779b1;
/** How many of the last lines may serve as the anchor. */
const ANCHORS = 8;

export function repeatedLinesRule(): LineRule {
  const lines: string[] = [];
  const ids = new Map<string, number>();
  // Per distinct line: where it occurs, in order.
  const at: number[][] = [];
  // Per line: its id; prefix hashes of the ids (mod 2^32) and BASE's powers.
  const lineIds: number[] = [];
  const prefix: number[] = [0];
  const power: number[] = [1];
  let lastSaid = -1;
  const hash = (from: number, to: number): number => (prefix[to] - Math.imul(prefix[from], power[to - from])) >>> 0;
  const sameBlocks = (i: number, k: number): boolean => {
    if (hash(i, i + k) !== hash(i + k, i + 2 * k)) return false;
    for (let t = 0; t < k; t++) if (lines[i + t] !== lines[i + k + t]) return false;
    return true;
  };
  return (line, reader) => {
    const text = line.whole.trimEnd();
    const j = lines.push(text) - 1;
    let id = ids.get(text);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(text, id);
      at.push([]);
    }
    lineIds.push(id);
    prefix.push((Math.imul(prefix[j], BASE) + id) >>> 0);
    power.push(Math.imul(power[j], BASE) >>> 0);
    at[id - 1].push(j);
    if (text.trim().length > 0) lastSaid = j;
    if (lastSaid < 0) return undefined;
    // Blocks of k lines end at j; the second holds line lastSaid, so k > j - lastSaid: every
    // block tried holds lines j - kMin + 1 to j, and the twin of such a line p is p - k.
    const kMax = (j + 1) >> 1;
    const kMin = Math.max(2, j - lastSaid + 1);
    let anchor = lastSaid;
    for (let p = j; p > j - kMin && p > j - ANCHORS && p >= 0; p--) if (at[lineIds[p] - 1].length < at[lineIds[anchor] - 1].length) anchor = p;
    const twins = at[lineIds[anchor] - 1];
    // The longest block first: it starts the repetition earliest.
    for (let n = firstAtLeast(twins, anchor - kMax); n < twins.length && twins[n] <= anchor - kMin; n++) {
      const k = anchor - twins[n];
      const i = j - 2 * k + 1;
      if (sameBlocks(i, k)) return endBefore(reader, i + k);
    }
    return j > 0 && lastSaid === j && lines[j] === lines[j - 1] ? endBefore(reader, j) : undefined;
  };
}

/** The index of the first of the ascending `values` that is at least `min`. */
function firstAtLeast(values: readonly number[], min: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < min) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const repeatedLinesStop = (ctx: RequestContext): TextStop => lineStop('repeated-lines', ctx, repeatedLinesRule());
