// Reads the ghostwriter.* settings through the core parser. A refused value is logged and shown
// once, not on every keystroke; it is reported again after the settings change.
import * as vscode from 'vscode';
import { MACHINE_KEYS, parseSettings, RELOAD_KEYS, RULES, SETTINGS_SECTION, userValue, type ModelFile, type Settings } from '../core/config';
import { TUNABLE } from '../core/tuning';
import type { Logger } from '../core/logger';

export class SettingsReader {
  private reported = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly warnUser: (message: string) => void,
  ) {}

  /**
   * `scope` lets folder and [language] values of resource-scoped settings apply. The machine keys
   * (model, provider, hub endpoint) are the user's own values whatever the workspace says.
   */
  read(scope?: vscode.TextDocument): Settings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(RULES)) {
      if (MACHINE_KEYS.includes(key as keyof Settings)) raw[key] = userValue(config.inspect(key));
      // A tunable value nobody set stays unset: the engine tunes it to the machine (tuning.ts).
      else if (!TUNABLE.includes(key as (typeof TUNABLE)[number]) || isSet(config.inspect(key))) raw[key] = config.get(key);
    }
    const { settings, problems } = parseSettings(raw);
    for (const p of problems) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.log.warn(p);
      this.warnUser(p);
    }
    return settings;
  }

  /** The settings changed: a problem that is still there deserves a new report. */
  changed(): void {
    this.reported.clear();
  }
}

export function affectsReload(e: vscode.ConfigurationChangeEvent): boolean {
  return RELOAD_KEYS.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`));
}

/** The variant first, so that the model path (what a load waits for) is the last key to change. */
export async function saveModelChoice(modelPath: string, temperature: number, modelFile?: ModelFile): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  if (modelFile !== undefined && config.get('modelFile') !== modelFile) await config.update('modelFile', modelFile, vscode.ConfigurationTarget.Global);
  await config.update('temperature', temperature, vscode.ConfigurationTarget.Global);
  await config.update('modelPath', modelPath, vscode.ConfigurationTarget.Global);
}

function isSet(i: ReturnType<vscode.WorkspaceConfiguration['inspect']>): boolean {
  if (!i) return false;
  return [i.globalValue, i.workspaceValue, i.workspaceFolderValue, i.globalLanguageValue, i.workspaceLanguageValue, i.workspaceFolderLanguageValue].some((v) => v !== undefined);
}
