// Choose Model with a completion server set: the server's own models (its listing route) come
// first, next to an entry for the local catalog. Picking a server model saves
// ghostwriter.serverModel (user settings); the catalog entry opens the usual chooser, whose model
// is the local fallback.
import * as vscode from 'vscode';
import { SETTINGS_SECTION, type Settings } from '../core/config';
import { describeCause } from '../core/errors';
import type { Logger } from '../core/logger';
import type { CompletionRouter } from '../core/remote/router';

export async function chooseWithServer(router: CompletionRouter, settings: () => Settings, log: Logger, local: () => Promise<unknown>, arg?: unknown): Promise<unknown> {
  const server = router.serverSource;
  // An argument (tests, other extensions) is a local model choice, as before.
  if (!server || arg !== undefined) return local();
  let models: string[] = [];
  let note = '';
  try {
    models = await server.listModels();
  } catch (err) {
    note = describeCause(err);
    log.warn(`the server's models could not be listed: ${note}`);
  }
  const current = settings().serverModel;
  type Item = vscode.QuickPickItem & { model?: string };
  const items: Item[] = [
    { label: `${server.config.dialect.label} at ${settings().serverEndpoint}`, kind: vscode.QuickPickItemKind.Separator },
    ...models.map((m) => ({ label: m, model: m, ...(m === current ? { description: 'in use' } : {}) })),
    ...(models.length === 0 ? [{ label: '$(warning) No models listed', detail: note || 'The server listed none.' }] : []),
    { label: 'Local model', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-library) Choose the local model (the fallback)…', detail: settings().modelPath || 'none chosen' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Ghostwriter: Choose Model', placeHolder: 'A model of the server, or the local model' });
  if (!pick) return undefined;
  if (pick.model === undefined) return pick.label.includes('local model') ? local() : undefined;
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('serverModel', pick.model, vscode.ConfigurationTarget.Global);
  return router.state;
}
