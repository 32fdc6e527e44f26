// Shows a given message to the user once per session; the log gets every occurrence.
import * as vscode from 'vscode';

export class Notifier {
  private readonly shown = new Set<string>();

  constructor(private readonly onAction: (action: string) => void) {}

  error(message: string, ...actions: string[]): void {
    this.once(message, () => vscode.window.showErrorMessage(message, ...actions));
  }

  warn(message: string, ...actions: string[]): void {
    this.once(message, () => vscode.window.showWarningMessage(message, ...actions));
  }

  /** Things work again: a problem that comes back later is news again. */
  reset(): void {
    this.shown.clear();
  }

  private once(message: string, show: () => Thenable<string | undefined>): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    show().then((action) => action && this.onAction(action));
  }
}
