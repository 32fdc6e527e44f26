// "Ghostwriter: Set Server API Key" / "Clear Server API Key": the completion server's key lives in
// the editor's SecretStorage (the OS keychain on desktop), never in the settings or the log. It is
// sent as a Bearer token to ghostwriter.serverEndpoint only, for the engines that take one.
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { askSecret } from './secretInput';

export const SERVER_KEY_SECRET = 'ghostwriter.serverApiKey';

export async function readServerKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  return (await secrets.get(SERVER_KEY_SECRET))?.trim() || undefined;
}

export interface ServerKeyDeps {
  readonly secrets: vscode.SecretStorage;
  readonly log: Logger;
  /** The key changed: the server is set up again with it. */
  readonly changed: () => unknown;
}

/** With a string argument (tests) the input box is skipped; an empty one clears the key. */
export async function setServerKey(deps: ServerKeyDeps, arg?: unknown): Promise<void> {
  const value = await askSecret(
    {
      title: 'Ghostwriter: Server API Key',
      prompt: 'The API key of the completion server (llama-server --api-key, vLLM --api-key, TGI, LM Studio). Kept in the editor’s secret storage and sent only to ghostwriter.serverEndpoint. Leave empty to remove it.',
      noun: 'key',
    },
    arg,
  );
  if (value === undefined) return;
  if (value.trim() === '') return clearServerKey(deps);
  await deps.secrets.store(SERVER_KEY_SECRET, value.trim());
  deps.log.info('a server API key was stored in the secret storage');
  deps.changed();
}

export async function clearServerKey(deps: ServerKeyDeps): Promise<void> {
  await deps.secrets.delete(SERVER_KEY_SECRET);
  deps.log.info('the stored server API key was removed');
  deps.changed();
}
