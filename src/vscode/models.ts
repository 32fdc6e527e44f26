// Models from the Hugging Face hub in the editor: the hub-aware model source (download progress in
// a notification, the token from SecretStorage, CPU or CUDA for the default variant), the
// first-run offer, and the commands behind them. extension.ts calls registerModelFeatures once.
import * as vscode from 'vscode';
import type { CompletionService } from '../core/completionService';
import type { ModelFile, Settings } from '../core/config';
import type { EngineState } from '../core/engineState';
import { catalogEntry, defaultVariant } from '../core/hub/catalog';
import { hubCacheRoot } from '../core/hub/index';
import type { Logger } from '../core/logger';
import { createModelSourceResolver, runsOnCpu } from '../core/modelSource';
import { cudaProviderInstalled } from '../inference/cuda';
import type { DownloadRecord, OfferRecord, PickRecord } from './api';
import { COMMANDS } from './commandIds';
import { chooseModel, type ChooseModelDeps, type ModelChoice } from './commands';
import { saveModelChoice } from './config';
import { DownloadUi } from './download';
import { maybeOfferFirstRun, offerModel, recommendation, type FirstRunDeps } from './firstRun';
import { clearToken, readToken, setToken, type TokenDeps } from './token';

export interface ModelFeatures {
  /** "Choose Model and Temperature" (the pickers, or a ModelChoice argument). */
  chooseModel(arg?: unknown): Promise<EngineState | undefined>;
  /** A model choice is being saved: the settings events it causes must not start loads of their own. */
  reloadsHeld(): boolean;
  /** Offers the recommended model once, when no model is chosen. */
  firstRun(): Promise<void>;
  downloads(): readonly DownloadRecord[];
  offers(): readonly OfferRecord[];
  picks(): readonly PickRecord[];
}

/** A load that failed for want of a token may work with the new one. */
const TOKEN_ERRORS = new Set(['hub-unauthorized', 'hub-not-found']);

export function registerModelFeatures(
  context: vscode.ExtensionContext,
  service: CompletionService,
  settings: () => Settings,
  log: Logger & { child(tag: string): Logger },
  reload: () => Promise<EngineState>,
): ModelFeatures {
  const own = (d: vscode.Disposable) => context.subscriptions.push(d);
  const ui = new DownloadUi();
  // Read at each use: "Enable GPU (CUDA)" may install the provider during the session.
  const onCpu = (s: Settings = settings()) => runsOnCpu(s, cudaProviderInstalled());
  service.setModelSource(createModelSourceResolver({ token: () => readToken(context.secrets), onCpu, onDownload: ui.start, log: log.child('hub') }));

  let held = 0;
  const save = async (choice: ModelChoice) => {
    held++;
    try {
      await saveModelChoice(choice.modelPath, choice.temperature, choice.modelFile);
    } finally {
      held--;
    }
  };
  const chooseDeps: ChooseModelDeps = {
    state: context.globalState,
    settings,
    reload,
    save,
    withProgress: (title, work) => ui.withProgress(title, work),
    onCpu: () => onCpu(),
    cacheRoot: () => hubCacheRoot(),
    recordPick: (p) => {
      picks.push(p);
      if (picks.length > 20) picks.shift();
    },
  };
  const offers: OfferRecord[] = [];
  const picks: PickRecord[] = [];
  const firstRunDeps: FirstRunDeps = { state: context.globalState, settings, onCpu: () => onCpu(), record: (o) => offers.push(o) };
  const tokenDeps: TokenDeps = {
    secrets: context.secrets,
    log,
    changed: () => (service.state.kind === 'error' && service.state.errorCode && TOKEN_ERRORS.has(service.state.errorCode) ? reload() : undefined),
  };

  own(vscode.commands.registerCommand(COMMANDS.getStarted, () => offerModel(firstRunDeps)));
  own(
    vscode.commands.registerCommand(COMMANDS.downloadModel, async (arg?: { repoId?: string; modelFile?: ModelFile }) => {
      const recommended = recommendation(onCpu());
      const repoId = arg?.repoId ?? recommended.entry.repoId;
      const entry = catalogEntry(repoId);
      const modelFile = arg?.modelFile ?? (entry ? defaultVariant(entry, onCpu()).modelFile : 'auto');
      const state = await chooseModel(chooseDeps, { modelPath: repoId, temperature: settings().temperature, modelFile });
      if (state?.kind === 'ready') void vscode.window.showInformationMessage(`Ghostwriter: ${state.modelName} is ready. Suggestions appear as you type; Tab accepts.`);
      return state;
    }),
  );
  own(vscode.commands.registerCommand(COMMANDS.setHubToken, (arg?: unknown) => setToken(tokenDeps, arg)));
  own(vscode.commands.registerCommand(COMMANDS.clearHubToken, () => clearToken(tokenDeps)));

  return {
    chooseModel: (arg) => chooseModel(chooseDeps, arg),
    reloadsHeld: () => held > 0,
    firstRun: () => maybeOfferFirstRun(firstRunDeps),
    downloads: () => ui.history(),
    offers: () => [...offers],
    picks: () => [...picks],
  };
}
