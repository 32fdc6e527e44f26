// A second status bar item, shown only while a completion server is set: where suggestions come
// from now — the server, the local model standing in while the server is down or busy, or
// nothing (down, and no local model chosen). The main item goes on showing the local model.
import * as vscode from 'vscode';
import type { RouteState } from '../core/remote/router';
import { COMMANDS } from './commandIds';

/** The item's text for a route (exported for the API the integration tests read). */
export function routeText(state: RouteState): string {
  switch (state.route) {
    case 'local':
      return '';
    case 'server':
      return `$(cloud) ${state.server}`;
    case 'local-fallback':
      return `$(cloud-offline) ${state.server} ${state.health?.kind === 'busy' ? 'busy' : 'down'} — local model`;
    case 'none':
      return `$(cloud-offline) ${state.server} ${state.health?.kind === 'busy' ? 'busy' : 'down'} — no suggestions`;
  }
}

export class RemoteStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ghostwriter.server', vscode.StatusBarAlignment.Right, 99);

  constructor(endpoint: () => string) {
    this.item.name = 'Ghostwriter Server';
    this.item.command = COMMANDS.showLog;
    this.endpoint = endpoint;
  }

  private readonly endpoint: () => string;

  get text(): string {
    return this.item.text;
  }

  update(state: RouteState): void {
    const text = routeText(state);
    if (!text) {
      this.item.text = '';
      this.item.hide();
      return;
    }
    this.item.text = text;
    const lines = [`**Ghostwriter** — suggestions from ${state.route === 'server' ? state.server : state.route === 'local-fallback' ? 'the local model' : 'nowhere'}`, `Server: ${state.server} at ${this.endpoint()}`];
    if (state.health?.message) lines.push(state.health.message);
    if (state.route !== 'server') lines.push('The server is probed again with a growing back-off; suggestions come from it again as soon as it answers.');
    lines.push('Click to show the log.');
    this.item.tooltip = new vscode.MarkdownString(lines.join('\n\n'), true);
    this.item.backgroundColor = state.route === 'none' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `Ghostwriter server: ${text.replace(/\$\([^)]*\)\s*/g, '')}` };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
