// "Ghostwriter: Choose Model and Temperature": pick a model folder (recent ones, Browse…), then a
// temperature; save both settings and reload the model under a progress notification.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Settings } from '../core/config';
import type { EngineState } from '../core/engineState';
import { saveModelChoice } from './config';

const RECENT_KEY = 'ghostwriter.recentModels';
const MAX_RECENT = 8;

export interface ModelChoice {
  readonly modelPath: string;
  readonly temperature: number;
}

export interface ChooseModelDeps {
  readonly state: vscode.Memento;
  readonly settings: () => Settings;
  /** Loads what the saved settings now name, even when it is the model already loaded; resolves with the state it ended in. */
  readonly reload: () => Promise<EngineState>;
}

/** With a ModelChoice argument (from tests or other extensions) the pickers are skipped. */
export async function chooseModel(deps: ChooseModelDeps, arg?: unknown): Promise<EngineState | undefined> {
  const choice = isModelChoice(arg) ? arg : await pickChoice(deps);
  if (!choice) return undefined;
  await saveModelChoice(choice.modelPath, choice.temperature);
  await rememberRecent(deps.state, choice.modelPath);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Ghostwriter: loading ${basename(choice.modelPath)}…` },
    () => deps.reload(),
  );
}

async function pickChoice(deps: ChooseModelDeps): Promise<ModelChoice | undefined> {
  const modelPath = await pickModel(deps);
  if (!modelPath) return undefined;
  const temperature = await pickTemperature(deps.settings().temperature);
  return temperature === undefined ? undefined : { modelPath, temperature };
}

async function pickModel(deps: ChooseModelDeps): Promise<string | undefined> {
  const current = deps.settings().modelPath;
  const recent = deps.state.get<string[]>(RECENT_KEY, []);
  const paths = [...new Set([current, ...recent].filter(Boolean))];
  const browse: vscode.QuickPickItem = { label: '$(folder-opened) Browse…', description: 'a folder with config.json, tokenizer.json and onnx/model.onnx' };
  const items: vscode.QuickPickItem[] = [
    ...paths.map((p) => ({ label: basename(p), description: p === current ? 'current' : undefined, detail: p })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Ghostwriter: Choose Model', placeHolder: 'Model folder (hub layout, e.g. the Xenova/gpt2 files)' });
  if (!picked) return undefined;
  if (picked !== browse) return picked.detail;
  const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use this model' });
  return folders?.[0]?.fsPath;
}

const PRESETS: readonly { readonly value: number; readonly label: string; readonly detail: string }[] = [
  { value: 0, label: '0', detail: 'Greedy: always the most likely token; the same suggestion every time' },
  { value: 0.2, label: '0.2', detail: 'Focused: close to greedy, a little variety' },
  { value: 0.7, label: '0.7', detail: 'Balanced' },
  { value: 1.0, label: '1.0', detail: 'Creative: the model’s own distribution' },
];

async function pickTemperature(current: number): Promise<number | undefined> {
  const custom: vscode.QuickPickItem = { label: 'Custom…', detail: 'Any value from 0 to 2' };
  const items: vscode.QuickPickItem[] = [
    ...PRESETS.map((p) => ({ label: p.label, detail: p.detail, description: p.value === current ? 'current' : undefined })),
    custom,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Ghostwriter: Sampling Temperature' });
  if (!picked) return undefined;
  if (picked !== custom) return Number(picked.label);
  const text = await vscode.window.showInputBox({
    title: 'Ghostwriter: Sampling Temperature',
    value: String(current),
    validateInput: (v) => (validTemperature(v) === undefined ? 'Enter a number from 0 to 2' : undefined),
  });
  return text === undefined ? undefined : validTemperature(text);
}

function validTemperature(text: string): number | undefined {
  const v = Number(text);
  return text.trim() !== '' && Number.isFinite(v) && v >= 0 && v <= 2 ? v : undefined;
}

function isModelChoice(arg: unknown): arg is ModelChoice {
  const a = arg as Partial<ModelChoice> | undefined;
  return !!a && typeof a.modelPath === 'string' && typeof a.temperature === 'number';
}

async function rememberRecent(state: vscode.Memento, modelPath: string): Promise<void> {
  const recent = state.get<string[]>(RECENT_KEY, []).filter((p) => p !== modelPath);
  await state.update(RECENT_KEY, [modelPath, ...recent].slice(0, MAX_RECENT));
}
