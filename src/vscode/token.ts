// "Ghostwriter: Set Hugging Face Token" / "Clear Hugging Face Token": the token for private and
// gated hub repos lives in the editor's SecretStorage (the OS keychain on desktop), never in the
// settings or the log. It is sent to the hub endpoint only (src/core/hub/http.ts).
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { askSecret } from './secretInput';

export const TOKEN_SECRET = 'ghostwriter.huggingFaceToken';

export interface TokenDeps {
  readonly secrets: vscode.SecretStorage;
  readonly log: Logger;
  /** The token changed: retry a load that failed for want of one. */
  readonly changed: () => Promise<unknown> | undefined;
}

/** The stored token; undefined when none is stored. */
export async function readToken(secrets: vscode.SecretStorage): Promise<string | undefined> {
  return (await secrets.get(TOKEN_SECRET))?.trim() || undefined;
}

/** With a string argument (tests, other extensions) the input box is skipped; an empty one clears the token. */
export async function setToken(deps: TokenDeps, arg?: unknown): Promise<unknown> {
  const value = await askSecret(
    {
      title: 'Ghostwriter: Hugging Face Token',
      prompt: 'An access token (hf_…) from huggingface.co/settings/tokens, for private and gated repos. Kept in the editor’s secret storage and sent only to the hub endpoint. Leave empty to remove the stored one.',
      placeHolder: 'hf_…',
      noun: 'token',
    },
    arg,
  );
  if (value === undefined) return undefined;
  if (value.trim() === '') return clearToken(deps);
  await deps.secrets.store(TOKEN_SECRET, value.trim());
  deps.log.info('a Hugging Face token was stored in the secret storage');
  void vscode.window.showInformationMessage('Ghostwriter: the Hugging Face token is stored in the editor’s secret storage.');
  return deps.changed();
}

export async function clearToken(deps: TokenDeps): Promise<unknown> {
  await deps.secrets.delete(TOKEN_SECRET);
  deps.log.info('the stored Hugging Face token was removed');
  void vscode.window.showInformationMessage('Ghostwriter: the stored Hugging Face token was removed (HF_TOKEN, when set, is still used).');
  return deps.changed();
}
