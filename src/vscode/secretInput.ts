// The one input box for a secret (the hub token, a server's API key): hidden while typed, kept open
// when focus moves away (the user may be copying it from a browser), no spaces.
import * as vscode from 'vscode';

export interface SecretPrompt {
  readonly title: string;
  readonly prompt: string;
  readonly placeHolder?: string;
  /** What the secret is called in the validation message ("token", "key"). */
  readonly noun: string;
}

/** A string argument (tests, other extensions) skips the box; undefined: the user cancelled. */
export async function askSecret(ask: SecretPrompt, arg?: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  return vscode.window.showInputBox({
    title: ask.title,
    prompt: ask.prompt,
    ...(ask.placeHolder ? { placeHolder: ask.placeHolder } : {}),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (/\s/.test(v.trim()) ? `A ${ask.noun} has no spaces` : undefined),
  });
}
