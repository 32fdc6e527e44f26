// Reads the ghostwriter.* settings through the core parser and reports refused values once each.
import * as vscode from 'vscode';
import { parseSettings, RULES, SETTINGS_SECTION, type Settings } from '../core/config';
import type { Logger } from '../core/logger';

export function readSettings(log: Logger, warnUser: (message: string) => void): Settings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(RULES)) raw[key] = config.get(key);
  const { settings, problems } = parseSettings(raw);
  for (const p of problems) {
    log.warn(p);
    warnUser(p);
  }
  return settings;
}

/** Settings whose change needs the model reloaded (the rest apply to the next request). */
export const RELOAD_KEYS: readonly (keyof Settings)[] = ['enable', 'modelPath', 'modelFile', 'executionProvider'];

export function affectsReload(e: vscode.ConfigurationChangeEvent): boolean {
  return RELOAD_KEYS.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`));
}

export async function saveModelChoice(modelPath: string, temperature: number): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  await config.update('modelPath', modelPath, vscode.ConfigurationTarget.Global);
  await config.update('temperature', temperature, vscode.ConfigurationTarget.Global);
}
