// Defaults sized to the machine: the decode and prefill speeds measured at load decide the
// context budget, the suggestion length and the deadline, unless the user set them.
import type { Settings } from './config';

export const TUNABLE = ['contextTokens', 'maxNewTokens', 'timeoutMs'] as const;

export interface Speed {
  /** Decode ms per token at a short context. */
  readonly msPerToken: number;
  /** Prefill ms per prompt token. */
  readonly prefillMsPerToken: number;
}

/** A cold prompt should cost about this much; decoding a suggestion about this much (the look-ahead decodes on in the background). */
const COLD_PREFILL_MS = 1000;
const DECODE_MS = 500;

/** The settings with unset tunable values derived from `speed` (never above the defaults). */
export function tuned(settings: Settings, speed: Speed | undefined): Settings {
  if (!speed || !settings.explicit || speed.msPerToken <= 0 || speed.prefillMsPerToken <= 0) return settings;
  const free = (k: (typeof TUNABLE)[number]) => !settings.explicit!.has(k);
  const contextTokens = free('contextTokens') ? clamp(Math.floor(COLD_PREFILL_MS / speed.prefillMsPerToken), 128, settings.contextTokens) : settings.contextTokens;
  const maxNewTokens = free('maxNewTokens') ? clamp(Math.floor(DECODE_MS / speed.msPerToken), 8, settings.maxNewTokens) : settings.maxNewTokens;
  // Room for a cold prompt and the whole suggestion, with half again to spare on a noisy machine.
  const needed = Math.ceil(1.5 * (contextTokens * speed.prefillMsPerToken + maxNewTokens * speed.msPerToken));
  const timeoutMs = free('timeoutMs') ? clamp(needed, 1000, settings.timeoutMs) : settings.timeoutMs;
  return { ...settings, contextTokens, maxNewTokens, timeoutMs };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(Math.min(lo, hi), Math.min(v, hi));
