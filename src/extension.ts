// activate/deactivate: build the owner of all disposables, wire the parts, nothing else.
import * as vscode from 'vscode';
import { CompletionService } from './core/completionService';
import type { Settings } from './core/config';
import { EngineClient, forkInference, type EngineEvents } from './core/engineClient';
import { enabledAnywhere } from './core/enablement';
import type { EngineState, EngineStateKind } from './core/engineState';
import { Emitter } from './core/events';
import type { CompletionRecord, GhostwriterApi } from './vscode/api';
import { COMMANDS } from './vscode/commandIds';
import { InlineProvider } from './vscode/completionProvider';
import { ContextTracker } from './vscode/contextTracker';
import { affectsReload, SettingsReader } from './vscode/config';
import { canInstallCudaProviders } from './core/gpu/providerReason';
import { CAN_ENABLE_GPU_CONTEXT, enableGpu } from './vscode/gpu';
import { SuggestionSwitch } from './vscode/enablement';
import { createChannelLogger } from './vscode/log';
import { registerModelFeatures } from './vscode/models';
import { Notifier } from './vscode/notifier';
import { StatusBar } from './vscode/statusBar';
import { registerWarmer } from './vscode/warmer';
import { showGrowth } from './vscode/growth';
import { CompletionRouter } from './core/remote/router';
import { RemoteWiring } from './vscode/remote';
import { clearServerKey, setServerKey, type ServerKeyDeps } from './vscode/remoteKey';
import { chooseWithServer } from './vscode/remoteModels';

const ACTIONS: Record<string, string> = {
  'Choose Model…': COMMANDS.chooseModel,
  'Reload Model': COMMANDS.reloadModel,
  'Show Log': COMMANDS.showLog,
  'Set Hugging Face Token': COMMANDS.setHubToken,
  'Enable GPU (CUDA)': COMMANDS.enableGpu,
};

export function activate(context: vscode.ExtensionContext): GhostwriterApi {
  // Disposed in reverse order: the service (aborting requests) goes before the process it talks to.
  const own = <T extends vscode.Disposable>(d: T): T => (context.subscriptions.push(d), d);
  const channel = own(vscode.window.createOutputChannel('Ghostwriter', { log: true }));
  const log = createChannelLogger(channel);
  const notifier = new Notifier((action) => void vscode.commands.executeCommand(ACTIONS[action]));
  const settings = new SettingsReader(log.child('settings'), (m) => notifier.warn(`Ghostwriter: ${m}`));

  const events: EngineEvents = {
    crashed: (reason, gaveUp) => service.onEngineCrash(reason, gaveUp),
    reloadFailed: (error) => service.onReloadFailed(error.message),
    idleUnloaded: (minutes) => service.onIdleUnload(minutes),
    reloaded: () => service.onEngineReloaded(),
  };
  const client = new EngineClient(forkInference(context.asAbsolutePath('dist/inference.js')), log.child('engine'), events);
  own({ dispose: () => client.dispose() });
  const service = new CompletionService(client, log.child('completion'), vscode.Uri.joinPath(context.globalStorageUri, 'prepared').fsPath);
  own({ dispose: () => service.dispose() });
  // A completion server, when one is set, answers instead of the local model, which stands in while it is down.
  // Asked at every completion without a server: kept from the last configuration change, not read and parsed again.
  const localModelSet = () => settings.read().modelPath.trim() !== '';
  let hasLocal = localModelSet();
  const router = new CompletionRouter(client, () => hasLocal, log.child('server'));
  own({ dispose: () => router.dispose() });
  service.setCompletionSource(router);
  // With no local model the state depends on the server alone: load again (nothing to load but the state).
  const remote = own(new RemoteWiring(router, () => settings.read(), context.secrets, log.child('server'), () => (localModelSet() ? undefined : service.reload(settings.read()))));
  const keyDeps: ServerKeyDeps = { secrets: context.secrets, log: log.child('server'), changed: () => remote.setup() };
  own(vscode.commands.registerCommand(COMMANDS.setServerKey, (arg?: unknown) => setServerKey(keyDeps, arg)));
  own(vscode.commands.registerCommand(COMMANDS.clearServerKey, () => clearServerKey(keyDeps)));
  const statusBar = own(new StatusBar(() => service.stats, () => noModelChosen(settings.read())));
  own(service.onDidChangeState((state) => reportState(state, statusBar, notifier)));
  // Per-language enable and the snooze; the status bar says when they are why nothing shows.
  const suggestionSwitch = own(new SuggestionSwitch({ settings: (doc) => settings.read(doc), refresh: () => statusBar.update(service.state) }));
  statusBar.showGate(() => suggestionSwitch.gateView());
  statusBar.update(service.state);

  const recent: CompletionRecord[] = [];
  const answered = own(new Emitter<CompletionRecord>());
  const contextTracker = own(new ContextTracker());
  const provider = new InlineProvider(
    service,
    (doc) => settings.read(doc),
    (r) => {
      recent.push(r);
      if (recent.length > MAX_RECENT_COMPLETIONS) recent.shift();
      answered.fire(r);
    },
    contextTracker,
  );
  provider.gateBy((doc, s) => suggestionSwitch.gate(doc, s));
  own(vscode.languages.registerInlineCompletionItemProvider([{ scheme: 'file' }, { scheme: 'untitled' }], provider));
  own(registerWarmer(service, (doc) => settings.read(doc), contextTracker, (doc, s) => suggestionSwitch.gate(doc, s)));
  own(showGrowth(service, (doc) => settings.read(doc)));

  const reload = () => service.ensureLoaded(settings.read(), true);
  const models = registerModelFeatures(context, service, () => settings.read(), log, reload);
  own(vscode.commands.registerCommand(COMMANDS.chooseModel, (arg?: unknown) => chooseWithServer(router, () => settings.read(), log.child('server'), () => models.chooseModel(arg), arg)));
  own(vscode.commands.registerCommand(COMMANDS.reloadModel, reload));
  own(vscode.commands.registerCommand(COMMANDS.showLog, () => channel.show()));
  void vscode.commands.executeCommand('setContext', CAN_ENABLE_GPU_CONTEXT, canInstallCudaProviders());
  own(vscode.commands.registerCommand(COMMANDS.enableGpu, () => enableGpu({ log: log.child('gpu'), settings: () => settings.read(), stopEngine: () => client.stop(), reload })));
  own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('ghostwriter')) return;
      settings.changed();
      hasLocal = localModelSet();
      if (affectsReload(e) && !models.reloadsHeld()) void service.ensureLoaded(settings.read());
    }),
  );

  log.info(`Ghostwriter ${context.extension.packageJSON.version} activating (${vscode.env.appName} ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI)`);
  void service.ensureLoaded(settings.read());
  void remote.setup();
  void models.firstRun();
  return {
    state: () => service.state,
    waitForState: (kinds, timeoutMs) => waitForState(service, kinds, timeoutMs),
    recentCompletions: () => [...recent],
    onDidAnswer: answered.event,
    recentLog: () => log.recent(),
    downloads: () => models.downloads(),
    offers: () => models.offers(),
    picks: () => models.picks(),
    statusBarText: () => statusBar.text,
    serverStatusText: () => remote.status.text,
    serverRoute: () => router.state,
  };
}

/** Provider answers kept for the API (a suite of tests makes a few hundred at most). */
const MAX_RECENT_COMPLETIONS = 500;

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}

/** Ghostwriter is on but no model is set: the status bar offers the recommended one. */
function noModelChosen(s: Pick<Settings, 'enable' | 'modelPath'>): boolean {
  return enabledAnywhere(s.enable) && s.modelPath.trim() === '';
}

function reportState(state: EngineState, statusBar: StatusBar, notifier: Notifier): void {
  statusBar.update(state);
  if (state.kind === 'error' && state.message) {
    // A private or gated repo needs a token; anything else may work on a retry (offline, a full disk).
    const retry = state.errorCode === 'hub-unauthorized' ? 'Set Hugging Face Token' : 'Reload Model';
    notifier.error(`Ghostwriter: ${state.message}`, 'Choose Model…', retry, 'Show Log');
  }
  if (state.kind === 'ready' && state.failedModel && state.message) {
    // The model chosen did not load; the one before it still answers.
    notifier.error(`Ghostwriter: ${state.message} ${state.modelName ?? 'The previous model'} goes on serving.`, 'Choose Model…', 'Reload Model', 'Show Log');
  } else if (state.kind === 'ready') {
    notifier.reset();
    // 'auto' without CUDA is normal on most machines: the status bar says it; only an explicit 'cuda' warns.
    if (state.fallbackReason && state.cudaRequested) {
      const fix = state.fallbackKind === 'no-provider-libraries' && canInstallCudaProviders() ? ['Enable GPU (CUDA)'] : [];
      notifier.warn(`Ghostwriter: ${state.fallbackReason}. Running on the CPU.`, ...fix, 'Show Log');
    }
  }
}

function waitForState(service: CompletionService, kinds: readonly EngineStateKind[], timeoutMs = 60_000): Promise<EngineState> {
  if (kinds.includes(service.state.kind)) return Promise.resolve(service.state);
  return new Promise((resolve, reject) => {
    const sub = service.onDidChangeState((s) => {
      if (!kinds.includes(s.kind)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`Ghostwriter state stayed ${service.state.kind}, not ${kinds.join('/')}, for ${timeoutMs} ms`));
    }, timeoutMs);
  });
}
