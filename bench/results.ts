// Raw samples -> the JSON figures: medians with p95 siblings, the replay's shares, the floor,
// the peer's figures, greedy agreement and the ours/peer ratios.
import { DEFAULTS, type Settings } from '../src/core/config';
import type { EngineRecord } from './client';
import type { BenchConfig } from './config';
import type { RunSample } from './engineBench';
import { msPerDecodeStep } from './engineBench';
import type { GenerateSample, PeerJob, PeerResult } from './peerProtocol';
import { median, p95, round, sum } from './stats';
import type { OursRaw } from './variantBench';

type Keyed = Record<string, number | null>;

function keyed(sizes: readonly number[], f: (size: string) => number | undefined, digits = 1): Keyed {
  return Object.fromEntries(sizes.map((s) => [String(s), round(f(String(s)), digits)]));
}

function counts(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function spread(values: readonly number[]) {
  return values.length === 0 ? null : { min: round(Math.min(...values), 1), median: round(median(values), 1), max: round(Math.max(...values), 1), n: values.length };
}

const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined && Number.isFinite(x));

export function summarizeOurs(raw: OursRaw, cfg: BenchConfig, weightBytes: number, bandwidthGBs: number) {
  const { sizes } = cfg;
  const prefill = (s: string) => raw.prefill[s].map((x) => x.prefillMs);
  const decode = (s: string) => defined(raw.decode[s].map(msPerDecodeStep));
  const fs = raw.firstSuggestion;
  const floorMsPerToken = weightBytes / (bandwidthGBs * 1e9) * 1000;
  const decodeMedian = (s: string) => median(decode(s));
  const r = raw.replay;
  const answered = r.requests.filter((q) => !q.cancelled);
  const completed = r.engine.filter((e): e is EngineRecord & Required<Pick<EngineRecord, 'timings' | 'promptTokenIds'>> => !!e.timings && !!e.promptTokenIds);
  const promptTokens = sum(completed.map((e) => e.promptTokenIds.length));
  const cachedTokens = sum(completed.map((e) => e.timings.cachedTokens ?? 0));
  const typedAhead = answered.filter((q) => q.source === 'typed-ahead');
  const fromModel = answered.filter((q) => q.source !== 'typed-ahead');
  const info = raw.warmInfo;
  return {
    status: 'ok' as const,
    modelInfo: {
      onnxPath: info.onnxPath,
      provider: info.provider,
      ...(info.prepared !== undefined ? { prepared: info.prepared } : {}),
      ...(info.prepareNote !== undefined ? { prepareNote: info.prepareNote } : {}),
      ...(info.msPerToken !== undefined ? { msPerToken: round(info.msPerToken, 2) } : {}),
      coldPrepared: raw.coldInfo.prepared ?? null,
      /** msPerToken of every load of this variant (the load bench's and CompletionService's): min, median, max. */
      msPerTokenAtLoad: spread(defined([...raw.load.flatMap((l) => [l.coldMsPerToken, l.warmMsPerToken]), raw.serviceInfo?.msPerToken])),
      ...(raw.serviceInfo?.prepareNote !== undefined ? { servicePrepareNote: raw.serviceInfo.prepareNote } : {}),
    },
    weightBytes,
    loadMs: { cold: round(median(raw.load.map((l) => l.coldMs)), 0), warm: round(median(raw.load.map((l) => l.warmMs)), 0) },
    loadMsP95: { cold: round(p95(raw.load.map((l) => l.coldMs)), 0), warm: round(p95(raw.load.map((l) => l.warmMs)), 0) },
    loadMsInProcess: { cold: round(median(raw.load.map((l) => l.coldEngineMs)), 0), warm: round(median(raw.load.map((l) => l.warmEngineMs)), 0) },
    loadReps: raw.load.length,
    prefillMs: keyed(sizes, (s) => median(prefill(s))),
    prefillMsP95: keyed(sizes, (s) => p95(prefill(s))),
    prefillPromptTokens: keyed(sizes, (s) => raw.prefill[s][0]?.promptTokens, 0),
    prefillCachedTokens: keyed(sizes, (s) => sum(raw.prefill[s].map((x) => x.cachedTokens)), 0),
    prefillWallMs: keyed(sizes, (s) => median(raw.prefill[s].map((x) => x.wallMs))),
    prefillReps: keyed(sizes, (s) => raw.prefill[s].length, 0),
    /** The middle size in CompletionService's runs while typing (64 tokens first, growing within the debounce). */
    prefillTypingMs: { [String(sizes[1])]: round(median(raw.prefillTyping.map((x) => x.prefillMs))) },
    prefillTypingRuns: { [String(sizes[1])]: raw.prefillTyping.length },
    decodeMsPerToken: keyed(sizes, (s) => decodeMedian(s), 2),
    decodeMsPerTokenP95: keyed(sizes, (s) => p95(decode(s)), 2),
    decodeNewTokens: keyed(sizes, (s) => median(raw.decode[s].map((x) => x.newTokens)), 0),
    decodeReps: keyed(sizes, (s) => decode(s).length, 0),
    firstSuggestionMs: { cold: round(median(fs.map((x) => x.coldMs))), afterEdit: round(median(fs.map((x) => x.afterEditMs))) },
    firstSuggestionMsP95: { cold: round(p95(fs.map((x) => x.coldMs))), afterEdit: round(p95(fs.map((x) => x.afterEditMs))) },
    firstSuggestionDetail: {
      reps: fs.length,
      coldPromptTokens: round(median(defined(fs.map((x) => x.cold?.promptTokenIds?.length))), 0),
      coldNewTokens: round(median(defined(fs.map((x) => x.cold?.timings?.newTokens))), 0),
      /** Decode ms per step of the cold requests: sampled (temperature, top-k, top-p), unlike decodeMsPerToken's greedy runs. */
      coldDecodeMsPerToken: round(median(defined(fs.map((x) => (x.cold?.timings && x.cold.timings.newTokens >= 2 ? x.cold.timings.decodeMs / (x.cold.timings.newTokens - 1) : undefined)))), 2),
      coldPrefillMs: round(median(defined(fs.map((x) => x.cold?.timings?.prefillMs)))),
      afterEditPrefillMs: round(median(defined(fs.map((x) => x.afterEdit?.timings?.prefillMs)))),
      afterEditCachedTokens: round(median(defined(fs.map((x) => x.afterEdit?.timings?.cachedTokens ?? (x.afterEdit?.timings ? 0 : undefined)))), 0),
      afterEditTypedAhead: fs.filter((x) => x.afterEditSource === 'typed-ahead').length,
      coldStopReasons: counts(fs.map((x) => x.cold?.stopReason ?? 'no result')),
      afterEditStopReasons: counts(fs.map((x) => (x.afterEditSource === 'typed-ahead' ? 'typed-ahead' : (x.afterEdit?.stopReason ?? 'no result')))),
    },
    replay: {
      requests: r.requests.length,
      answered: answered.length,
      cancelled: r.requests.filter((q) => q.cancelled).length,
      p50Ms: round(median(answered.map((q) => q.ms))),
      p95Ms: round(p95(answered.map((q) => q.ms))),
      modelP50Ms: round(median(fromModel.map((q) => q.ms))),
      typedAheadP50Ms: round(median(typedAhead.map((q) => q.ms))),
      cachedPromptShare: round(promptTokens > 0 ? cachedTokens / promptTokens : undefined, 3),
      lookAheadHits: typedAhead.length,
      withSuggestion: answered.filter((q) => q.suggestions > 0).length,
      engineRequests: r.engine.length,
      engineCompleted: completed.length,
      engineAborted: r.engine.filter((e) => e.aborted).length,
      engineErrors: r.engine.filter((e) => e.error).length,
      enginePrefillP50Ms: round(median(completed.map((e) => e.timings.prefillMs))),
      /** CPU ms of the inference process during the replay (the cancelled requests' work and the look-ahead included) per answered request. */
      computeMsPerAnswered: round(r.cpu?.inferenceMs !== undefined && answered.length > 0 ? r.cpu.inferenceMs / answered.length : undefined, 0),
      inferenceCpuMs: round(r.cpu?.inferenceMs, 0),
      extensionCpuMs: round(r.cpu?.extensionMs, 0),
      durationS: round(r.durationMs / 1000),
      files: r.files.map((f) => ({ ...f, durationMs: Math.round(f.durationMs) })),
    },
    eventLoopMaxStallMs: round(r.eventLoop.maxMs),
    eventLoopP99Ms: round(r.eventLoop.p99Ms),
    peakRssMb: round(r.peakRssMb, 0),
    floorMsPerToken: round(floorMsPerToken, 2),
    floorMultiple: keyed([sizes[0], sizes[2]], (s) => decodeMedian(s) / floorMsPerToken, 2),
  };
}

export type OursSummary = ReturnType<typeof summarizeOurs>;

/** The same prompts ours ran (first-suggestion prompts as our engine cut them), for the peer. */
export function peerJob(
  raw: OursRaw,
  cfg: BenchConfig,
  modelDir: string,
  dtype: PeerJob['dtype'],
  warmups: Record<string, string>,
  decodeText: (ids: readonly number[]) => string,
  settings: Pick<Settings, 'maxNewTokens' | 'temperature' | 'topK' | 'topP'> = DEFAULTS,
): PeerJob {
  return {
    modelDir,
    dtype,
    prefill: cfg.sizes.map((size) => ({ size: String(size), texts: [warmups[size], ...raw.prefill[size].map((s) => s.promptText)] })),
    decode: cfg.sizes.map((size) => ({ size: String(size), texts: raw.decode[size].map((s) => s.promptText), newTokens: cfg.decodeNewTokens })),
    firstSuggestion: {
      texts: raw.firstSuggestion.flatMap((f) => (f.cold?.promptTokenIds ? [decodeText(f.cold.promptTokenIds)] : [])),
      maxNewTokens: settings.maxNewTokens,
      temperature: settings.temperature,
      topK: settings.topK,
      topP: settings.topP,
    },
  };
}

const peerPrefillMs = (g: GenerateSample) => (g.tokenAtMs.length > 0 ? g.tokenAtMs[0] - g.tokenizeMs : undefined);
const peerDecodeStep = (g: GenerateSample) => (g.tokenAtMs.length >= 2 ? (g.tokenAtMs[g.tokenAtMs.length - 1] - g.tokenAtMs[0]) / (g.tokenAtMs.length - 1) : undefined);

export function summarizePeer(peer: PeerResult, raw: OursRaw, cfg: BenchConfig, eosTokenId: number | undefined) {
  const { sizes } = cfg;
  const prefill = (s: string) => defined(peer.prefill[s].map(peerPrefillMs));
  const decode = (s: string) => defined(peer.decode[s].map(peerDecodeStep));
  const first = peer.firstSuggestion.map((g) => g.tokenAtMs[g.tokenAtMs.length - 1]);
  // The peer's time to as many tokens as our cold request produced for the same prompt.
  const ourNew = raw.firstSuggestion.filter((f) => f.cold?.promptTokenIds).map((f) => f.cold?.timings?.newTokens ?? 0);
  const atOurTokens = defined(peer.firstSuggestion.map((g, i) => g.tokenAtMs[Math.max(0, Math.min(g.tokenAtMs.length, ourNew[i] ?? 1) - 1)]));
  return {
    status: 'ok' as const,
    name: peer.name,
    version: peer.version,
    ortVersion: peer.ortVersion,
    modelFile: peer.modelFile,
    loadMs: round(peer.loadMs, 0),
    prefillMs: keyed(sizes, (s) => median(prefill(s))),
    prefillMsP95: keyed(sizes, (s) => p95(prefill(s))),
    decodeMsPerToken: keyed(sizes, (s) => median(decode(s)), 2),
    decodeMsPerTokenP95: keyed(sizes, (s) => p95(decode(s)), 2),
    firstSuggestionMs: { cold: round(median(first)), afterEdit: null },
    firstSuggestionMsP95: { cold: round(p95(first)), afterEdit: null },
    firstSuggestionAtOurTokensMs: { cold: round(median(atOurTokens)) },
    peakRssMb: round(peer.peakRssMb, 0),
    greedyAgreement: agreement(raw, peer, sizes, eosTokenId),
    tokenizerAgreement: tokenizerAgreement(raw, peer, sizes),
  };
}

export type PeerSummary = ReturnType<typeof summarizePeer>;

/** Our greedy decode tokens against the peer's, prompt by prompt (an EOS the peer ends on is dropped, as ours drops it). */
function agreement(raw: OursRaw, peer: PeerResult, sizes: readonly number[], eosTokenId: number | undefined) {
  let sequences = 0;
  let identical = 0;
  let tokens = 0;
  let agreeingTokens = 0;
  let firstMismatch: { size: string; rep: number; index: number; ours: number | null; peer: number | null } | undefined;
  for (const size of sizes.map(String)) {
    raw.decode[size].forEach((ours, rep) => {
      const g = peer.decode[size]?.[rep];
      if (!g) return;
      const theirs = g.newIds.length > 0 && g.newIds[g.newIds.length - 1] === eosTokenId ? g.newIds.slice(0, -1) : g.newIds;
      const mine = ours.tokenIds;
      sequences++;
      const n = Math.max(mine.length, theirs.length);
      let same = mine.length === theirs.length;
      for (let i = 0; i < n; i++) {
        if (i < mine.length && i < theirs.length && mine[i] === theirs[i]) {
          tokens++;
          agreeingTokens++;
          continue;
        }
        same = false;
        tokens++;
        firstMismatch ??= { size, rep, index: i, ours: mine[i] ?? null, peer: theirs[i] ?? null };
        break; // after a first difference the continuations are different texts
      }
      if (same) identical++;
    });
  }
  return { agree: sequences > 0 && identical === sequences, sequences, identical, tokensCompared: tokens, tokensAgreeing: agreeingTokens, ...(firstMismatch ? { firstMismatch } : {}) };
}

function tokenizerAgreement(raw: OursRaw, peer: PeerResult, sizes: readonly number[]) {
  let prompts = 0;
  let identical = 0;
  for (const size of sizes.map(String)) {
    for (const [list, theirs] of [
      [raw.prefill[size], peer.prefill[size]],
      [raw.decode[size], peer.decode[size]],
    ] as const) {
      list.forEach((ours: RunSample, i: number) => {
        const g = theirs?.[i];
        if (!g) return;
        prompts++;
        if (g.promptIds.length === ours.promptTokenIds.length && g.promptIds.every((id, k) => id === ours.promptTokenIds[k])) identical++;
      });
    }
  }
  return { agree: prompts > 0 && identical === prompts, prompts, identical };
}

export function ratios(ours: OursSummary, peer: PeerSummary | undefined, cfg: BenchConfig) {
  const div = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? round(a / b, 3) : null);
  const [, mid, big] = cfg.sizes.map(String);
  return {
    [`prefill${mid}`]: div(ours.prefillMs[mid], peer?.prefillMs[mid]),
    [`prefill${mid}Typing`]: div(ours.prefillTypingMs[mid], peer?.prefillMs[mid]),
    [`decode${big}`]: div(ours.decodeMsPerToken[big], peer?.decodeMsPerToken[big]),
    firstSuggestionCold: div(ours.firstSuggestionMs.cold, peer?.firstSuggestionMs.cold),
    firstSuggestionColdAtOurTokens: div(ours.firstSuggestionMs.cold, peer?.firstSuggestionAtOurTokensMs.cold),
    afterEditOverCold: div(ours.firstSuggestionMs.afterEdit, ours.firstSuggestionMs.cold),
  };
}
