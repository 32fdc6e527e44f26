// The printed table: one row per figure; ours (fp32, int8), the peer's (fp32, int8), ratios.
import type { BenchResults, VariantResult } from './run';

type Cell = number | string | null | undefined;

function fmt(value: Cell, digits = 1): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(digits);
}

function ok(v: VariantResult | undefined) {
  return v && v.status === 'ok' ? v : undefined;
}

export function renderTable(results: BenchResults): string {
  const fp = ok(results.variants.fp32);
  const q8 = ok(results.variants.int8);
  const peer = (v: typeof fp) => (v?.peer?.status === 'ok' ? v.peer : undefined);
  const [small, mid, big] = results.config.sizes.map(String);
  const rows: string[][] = [];
  type Ours = NonNullable<typeof fp>;
  type Peer = NonNullable<ReturnType<typeof peer>>;
  const row = (label: string, f: (v: Ours) => Cell, p?: (v: Peer) => Cell, ratio?: (v: Ours) => Cell, digits = 1) => {
    const cells: Cell[] = [fp && f(fp), q8 && f(q8), p && peer(fp) ? p(peer(fp)!) : undefined, p && peer(q8) ? p(peer(q8)!) : undefined];
    const r = ratio ? [fp && ratio(fp), q8 && ratio(q8)] : [];
    rows.push([label, ...cells.map((c) => fmt(c, digits)), r.length ? `${fmt(r[0], 2)} / ${fmt(r[1], 2)}` : '']);
  };
  row('load cold, ms', (v) => v.loadMs.cold, (p) => p.loadMs);
  row('load warm, ms', (v) => v.loadMs.warm);
  for (const s of results.config.sizes.map(String)) {
    row(`prefill ${s} tok, ms`, (v) => v.prefillMs[s], (p) => p.prefillMs[s], s === mid ? (v) => v.ratios[`prefill${mid}`] : undefined);
  }
  row(`  ${mid} tok in typing runs, ms`, (v) => v.prefillTypingMs?.[mid], undefined, (v) => v.ratios[`prefill${mid}Typing`]);
  for (const s of results.config.sizes.map(String)) {
    row(`decode @${s}, ms/token`, (v) => v.decodeMsPerToken[s], (p) => p.decodeMsPerToken[s], s === big ? (v) => v.ratios[`decode${big}`] : undefined, 2);
  }
  row('first suggestion cold, ms', (v) => v.firstSuggestionMs.cold, (p) => p.firstSuggestionMs.cold, (v) => v.ratios.firstSuggestionCold);
  row('  peer at our token count, ms', () => undefined, (p) => p.firstSuggestionAtOurTokensMs.cold, (v) => v.ratios.firstSuggestionColdAtOurTokens);
  row('first suggestion after edit, ms', (v) => v.firstSuggestionMs.afterEdit, undefined, (v) => v.ratios.afterEditOverCold);
  row('replay p50, ms', (v) => v.replay.p50Ms);
  row('replay p95, ms', (v) => v.replay.p95Ms);
  row('replay requests / answered', (v) => `${v.replay.requests} / ${v.replay.answered}`);
  row('replay cancelled', (v) => v.replay.cancelled);
  row('replay cached prompt share', (v) => v.replay.cachedPromptShare, undefined, undefined, 3);
  row('replay look-ahead hits', (v) => v.replay.lookAheadHits);
  row('replay compute per answered, ms CPU', (v) => v.replay.computeMsPerAnswered);
  row('event loop max stall, ms', (v) => v.eventLoopMaxStallMs);
  row('peak RSS (inference), MB', (v) => v.peakRssMb, (p) => p.peakRssMb);
  row('floor, ms/token', (v) => v.floorMsPerToken, undefined, undefined, 2);
  row(`decode @${small} / floor`, (v) => v.floorMultiple[small], undefined, undefined, 2);
  row(`decode @${big} / floor`, (v) => v.floorMultiple[big], undefined, undefined, 2);
  row('greedy tokens agree with peer', () => undefined, (p) => `${p.greedyAgreement.identical}/${p.greedyAgreement.sequences}`);

  const header = ['metric', 'fp32', 'int8', 'peer fp32', 'peer int8', 'ratio fp32 / int8'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: readonly Cell[]) => cells.map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const skipped = Object.entries(results.variants)
    .filter(([, v]) => v.status !== 'ok')
    .map(([k, v]) => `${k}: ${v.status} (${'reason' in v ? v.reason : ''})`);
  const peerSkipped = Object.entries(results.variants).flatMap(([k, v]) => (v.status === 'ok' && v.peer.status !== 'ok' ? [`peer ${k}: ${v.peer.status} (${v.peer.reason})`] : []));
  return [...out, ...(skipped.length || peerSkipped.length ? ['', ...skipped, ...peerSkipped] : []), '', 'ratio: ours / peer (prefill, decode, first suggestion); after edit: afterEdit / cold. Medians; p95 in the JSON.'].join('\n');
}
