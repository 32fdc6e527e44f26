// What the engine is doing now; drives the status bar and the extension's API.
import type { ErrorCode } from './errors';
import type { CudaFailureKind } from './gpu/providerReason';

export type EngineStateKind = 'disabled' | 'loading' | 'ready' | 'generating' | 'error';

export interface EngineState {
  readonly kind: EngineStateKind;
  /** The loaded (or loading) model's name: a hub model's repo id, else its folder's name. */
  readonly modelName?: string;
  /** Execution provider in use once loaded: 'cpu' or 'cuda'. */
  readonly provider?: string;
  /** Why CUDA was not used although 'auto' or 'cuda' asked for it. */
  readonly fallbackReason?: string;
  /** The same as a kind: 'no-provider-libraries' is what "Enable GPU (CUDA)" fixes. */
  readonly fallbackKind?: CudaFailureKind;
  /** The user chose 'cuda' explicitly: a fallback deserves a warning, not just a note. */
  readonly cudaRequested?: boolean;
  /** Decode speed measured at load on the active provider. */
  readonly msPerToken?: number;
  readonly prefillMsPerToken?: number;
  /** The model fills in the middle (it sees the text after the cursor): a suggestion may fill in a line. */
  readonly fim?: boolean;
  /** For 'error' and 'disabled': what is wrong and what to do, as shown to the user. */
  readonly message?: string;
  /** 'ready' with the model that was serving: this one (the settings' choice) failed to load; `message` says why. */
  readonly failedModel?: string;
  /** 'ready', but the process was ended after ghostwriter.idleUnloadMinutes: the next request loads the model again. */
  readonly idleUnloaded?: boolean;
  /** Why a load ended in 'error' (or 'disabled' for a cancelled download), so the editor can offer the fitting action. */
  readonly errorCode?: ErrorCode;
}

/** The first clause of a message, without the path in parentheses, at most 48 characters: for the status bar. */
export function shortReason(message: string): string {
  const first = message.split(/ \(|\. |: /)[0].replace(/\.$/, '');
  return first.length > 48 ? `${first.slice(0, 47)}…` : first;
}
