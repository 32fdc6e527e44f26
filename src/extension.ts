// activate/deactivate: build the owner of all disposables, wire the parts, nothing else.
import * as vscode from 'vscode';
import { CompletionService } from './core/completionService';
import { EngineClient, forkInference } from './core/engineClient';
import type { EngineState, EngineStateKind } from './core/engineState';
import type { CompletionRecord, GhostwriterApi } from './vscode/api';
import { chooseModel } from './vscode/commands';
import { COMMANDS } from './vscode/commandIds';
import { InlineProvider } from './vscode/completionProvider';
import { affectsReload, readSettings } from './vscode/config';
import { createChannelLogger } from './vscode/log';
import { Notifier } from './vscode/notifier';
import { StatusBar } from './vscode/statusBar';

export function activate(context: vscode.ExtensionContext): GhostwriterApi {
  const own = <T extends vscode.Disposable>(d: T): T => (context.subscriptions.push(d), d);
  const channel = own(vscode.window.createOutputChannel('Ghostwriter', { log: true }));
  const log = createChannelLogger(channel);
  const notifier = new Notifier((action) => {
    if (action === 'Choose Model…') void vscode.commands.executeCommand(COMMANDS.chooseModel);
    if (action === 'Show Log') channel.show();
  });
  const settings = () => readSettings(log.child('settings'), (m) => notifier.warn(m));

  let service: CompletionService | undefined;
  const client = new EngineClient(forkInference(context.asAbsolutePath('dist/inference.js')), log.child('engine'), (reason, gaveUp) =>
    service?.onEngineCrash(reason, gaveUp),
  );
  own({ dispose: () => client.dispose() });
  service = new CompletionService(client, log.child('completion'));
  own({ dispose: () => service?.dispose() });
  const statusBar = own(new StatusBar());
  own(service.onDidChangeState((state) => reportState(state, statusBar, notifier)));
  statusBar.update(service.state);

  const recent: CompletionRecord[] = [];
  const provider = new InlineProvider(service, settings, (r) => {
    recent.push(r);
    if (recent.length > 20) recent.shift();
  });
  own(vscode.languages.registerInlineCompletionItemProvider([{ scheme: 'file' }, { scheme: 'untitled' }], provider));

  const svc = service;
  own(vscode.commands.registerCommand(COMMANDS.chooseModel, (arg?: unknown) => chooseModel({ state: context.globalState, settings, reload: () => svc.ensureLoaded(settings()) }, arg)));
  own(vscode.commands.registerCommand(COMMANDS.reloadModel, () => svc.reload(settings())));
  own(vscode.commands.registerCommand(COMMANDS.showLog, () => channel.show()));
  own(vscode.workspace.onDidChangeConfiguration((e) => {
    if (affectsReload(e)) void svc.ensureLoaded(settings());
  }));

  log.info(`Ghostwriter ${context.extension.packageJSON.version} activating (${vscode.env.appName} ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`);
  void svc.ensureLoaded(settings());
  return {
    state: () => svc.state,
    waitForState: (kinds, timeoutMs) => waitForState(svc, kinds, timeoutMs),
    recentCompletions: () => [...recent],
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}

function reportState(state: EngineState, statusBar: StatusBar, notifier: Notifier): void {
  statusBar.update(state);
  if (state.kind === 'error' && state.message) {
    notifier.error(`Ghostwriter: ${state.message}`, 'Choose Model…', 'Show Log');
  }
  if (state.kind === 'ready' && state.fallbackReason) {
    notifier.warn(`Ghostwriter: ${state.fallbackReason}. Running on the CPU.`, 'Show Log');
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
