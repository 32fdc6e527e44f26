// The switch in the editor: ghostwriter.enable per language and the snooze (src/core/
// enablement.ts), the commands that flip them (Turn Suggestions On or Off for This Language,
// Snooze Suggestions for 5 or 30 minutes, Resume Suggestions), and the status bar saying so for
// the active editor.
import * as vscode from 'vscode';
import { SETTINGS_SECTION, type Settings } from '../core/config';
import { gateFor, gateNote, Snooze, toggledFor, type Gate } from '../core/enablement';
import { COMMANDS } from './commandIds';
import type { GateView } from './statusBar';

const SNOOZE_CHOICES = [
  { label: '5 minutes', minutes: 5 },
  { label: '30 minutes', minutes: 30 },
];

export interface SwitchDeps {
  readonly settings: (doc?: vscode.TextDocument) => Settings;
  /** Shows the status bar again (its text reads gateView()). */
  readonly refresh: () => void;
}

export class SuggestionSwitch implements vscode.Disposable {
  readonly snooze = new Snooze();
  private readonly subs: vscode.Disposable[];

  constructor(private readonly deps: SwitchDeps) {
    this.subs = [
      vscode.commands.registerCommand(COMMANDS.toggleLanguage, (languageId?: unknown) => this.toggleLanguage(typeof languageId === 'string' ? languageId : undefined)),
      vscode.commands.registerCommand(COMMANDS.snooze, (minutes?: unknown) => this.snoozeFor(typeof minutes === 'number' ? minutes : undefined)),
      vscode.commands.registerCommand(COMMANDS.resume, () => this.snooze.resume()),
      this.snooze.onDidChange(() => deps.refresh()),
      vscode.window.onDidChangeActiveTextEditor(() => deps.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${SETTINGS_SECTION}.enable`) && deps.refresh()),
      this.snooze,
    ];
  }

  /** Why a document gets no suggestion, when the switch is the reason. */
  gate(doc: vscode.TextDocument, settings: Settings = this.deps.settings(doc)): Gate | undefined {
    return gateFor(settings.enable, doc.languageId, this.snooze.active);
  }

  /** What the status bar says for the active editor. */
  gateView(): GateView | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc) return this.snooze.active ? this.view('snoozed', '') : undefined;
    const gate = this.gate(doc);
    return gate === 'snoozed' || gate === 'language' ? this.view(gate, doc.languageId) : undefined;
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }

  private view(gate: 'snoozed' | 'language', languageId: string): GateView {
    const note = gateNote(gate, languageId, this.snooze.until)!;
    const detail =
      gate === 'snoozed'
        ? 'Suggestions are snoozed everywhere: **Ghostwriter: Resume Suggestions** brings them back now.'
        : `Suggestions are off for ${languageId} (ghostwriter.enable): **Ghostwriter: Turn Suggestions On or Off for This Language** turns them on.`;
    return { note, detail };
  }

  private async toggleLanguage(given?: string): Promise<void> {
    const languageId = given ?? vscode.window.activeTextEditor?.document.languageId;
    if (!languageId) {
      void vscode.window.showInformationMessage('Ghostwriter: open an editor to turn suggestions on or off for its language.');
      return;
    }
    // The value as it applies here, switched for the language, saved in the user settings.
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const current = this.deps.settings(vscode.window.activeTextEditor?.document).enable;
    const next = toggledFor(current, languageId);
    await config.update('enable', next, vscode.ConfigurationTarget.Global);
    vscode.window.setStatusBarMessage(`Ghostwriter: suggestions ${next[languageId] ? 'on' : 'off'} for ${languageId}`, 4000);
  }

  private async snoozeFor(minutes?: number): Promise<void> {
    const chosen = minutes ?? (await vscode.window.showQuickPick(SNOOZE_CHOICES, { title: 'Snooze Ghostwriter suggestions for' }))?.minutes;
    if (chosen === undefined || !(chosen > 0)) return;
    this.snooze.snooze(chosen);
  }
}
