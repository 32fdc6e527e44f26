// The first run: with no model chosen, one notification offers the catalog model recommended for
// this machine ("Download Xenova/gpt2 (int8, 283 MB) and start?"), with Choose another… and Not
// now. It comes once (remembered in globalState); the status bar item offers it again later.
import { availableParallelism, freemem } from 'node:os';
import * as vscode from 'vscode';
import type { Settings } from '../core/config';
import { enabledAnywhere } from '../core/enablement';
import { describeVariant } from '../core/hub/catalog';
import { recommend, type Machine, type Recommendation } from '../core/hub/recommend';
import type { OfferRecord } from './api';
import { COMMANDS } from './commandIds';

export const FIRST_RUN_KEY = 'ghostwriter.firstRunOffered';

export const OFFER_ACTIONS = { accept: 'Download', other: 'Choose another…', later: 'Not now' } as const;

export interface FirstRunDeps {
  readonly state: vscode.Memento;
  readonly settings: () => Settings;
  readonly onCpu: () => boolean;
  /** Every offer shown, for the API. */
  readonly record: (offer: OfferRecord) => void;
}

/** This machine as the recommendation reads it: CUDA usable or not, its cores, its free memory now. */
export function thisMachine(onCpu: boolean): Machine {
  return { gpu: !onCpu, cores: availableParallelism(), freeBytes: freemem() };
}

export function recommendation(onCpu: boolean): Recommendation {
  return recommend(thisMachine(onCpu));
}

/** Shows the offer, with why this model for this machine; accepting downloads the model and loads it (no window reload). */
export async function offerModel(deps: FirstRunDeps): Promise<void> {
  const { entry, variant, why } = recommendation(deps.onCpu());
  const message = `Ghostwriter: Download ${entry.repoId} (${describeVariant(entry, variant)}) and start? Recommended for this machine (${why}).`;
  const actions = [OFFER_ACTIONS.accept, OFFER_ACTIONS.other, OFFER_ACTIONS.later];
  const accept = { command: COMMANDS.downloadModel, args: [{ repoId: entry.repoId, modelFile: variant.modelFile }] };
  deps.record({ message, actions, accept });
  const picked = await vscode.window.showInformationMessage(message, ...actions);
  if (picked === OFFER_ACTIONS.accept) await vscode.commands.executeCommand(accept.command, ...accept.args);
  else if (picked === OFFER_ACTIONS.other) await vscode.commands.executeCommand(COMMANDS.chooseModel);
}

/** At activation: offer once, when no model is chosen and Ghostwriter is on. */
export async function maybeOfferFirstRun(deps: FirstRunDeps): Promise<void> {
  const settings = deps.settings();
  // A completion server set (ghostwriter.serverBackend): suggestions come from it; a local model is only its optional fallback.
  const serverSet = settings.serverBackend !== 'local' && settings.serverEndpoint.trim() !== '';
  if (!enabledAnywhere(settings.enable) || settings.modelPath.trim() !== '' || serverSet || deps.state.get<boolean>(FIRST_RUN_KEY)) return;
  await deps.state.update(FIRST_RUN_KEY, true);
  await offerModel(deps);
}
