// "Ghostwriter: Choose Model and Temperature": pick a model (a catalog entry from the Hugging Face
// hub, marked when it is already in the cache; a folder or hub id used before; Browse…; a hub repo
// id typed in), then its variant (int8 / fp16 / fp32), then a temperature; save the settings and
// load the model under one progress notification (a download shows its bytes there, with Cancel).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelFile, Settings } from '../core/config';
import type { EngineState } from '../core/engineState';
import type { PickRecord } from './api';
import {
  CATALOG,
  catalogEntry,
  defaultVariant,
  describeLanguages,
  describeVariant,
  downloadedVariants,
  loadable,
  type CatalogEntry,
  type VariantKind,
} from '../core/hub/catalog';
import { onnxCandidates } from '../core/hub/files';
import { parseModelSource, parseRepoId } from '../core/hub/index';
import { modelDisplayName } from '../core/modelSource';

const RECENT_KEY = 'ghostwriter.recentModels';
const MAX_RECENT = 8;

export interface ModelChoice {
  /** A folder or a hub repo id[@revision]. */
  readonly modelPath: string;
  readonly temperature: number;
  /** Which ONNX file (ghostwriter.modelFile); left as it is when absent. */
  readonly modelFile?: ModelFile;
}

export interface ChooseModelDeps {
  readonly state: vscode.Memento;
  readonly settings: () => Settings;
  /** Loads what the saved settings now name, even when it is the model already loaded; resolves with the state it ended in. */
  readonly reload: () => Promise<EngineState>;
  /** Saves the choice to the settings (without each saved key starting a load of its own). */
  readonly save: (choice: ModelChoice) => Promise<void>;
  /** Runs the load under a progress notification that a download reports into. */
  readonly withProgress: <T>(title: string, work: () => Promise<T>) => Thenable<T>;
  /** Whether the model will run on the CPU (the default variant is int8 there). */
  readonly onCpu: () => boolean;
  /** The Hugging Face cache folder, to mark what is downloaded (read with no network). */
  readonly cacheRoot: () => string;
  /** Every model list shown, for the API. */
  readonly recordPick?: (pick: PickRecord) => void;
}

/** With a ModelChoice argument (from tests, the first-run offer or other extensions) the pickers are skipped. */
export async function chooseModel(deps: ChooseModelDeps, arg?: unknown): Promise<EngineState | undefined> {
  const choice = isModelChoice(arg) ? arg : await pickChoice(deps);
  if (!choice) return undefined;
  await deps.save(choice);
  await rememberRecent(deps.state, choice.modelPath);
  return deps.withProgress(`Ghostwriter: loading ${modelDisplayName(choice.modelPath)}…`, () => deps.reload());
}

async function pickChoice(deps: ChooseModelDeps): Promise<ModelChoice | undefined> {
  const modelPath = await pickModel(deps);
  if (!modelPath) return undefined;
  const modelFile = await pickVariant(deps, modelPath);
  if (!modelFile) return undefined;
  const temperature = await pickTemperature(deps.settings().temperature);
  return temperature === undefined ? undefined : { modelPath, temperature, modelFile };
}

interface ModelItem extends vscode.QuickPickItem {
  readonly action?: 'browse' | 'hub';
  readonly modelPath?: string;
}

async function pickModel(deps: ChooseModelDeps): Promise<string | undefined> {
  const current = deps.settings().modelPath;
  const onCpu = deps.onCpu();
  const cacheRoot = deps.cacheRoot();
  const catalog: ModelItem[] = [];
  for (const entry of CATALOG) {
    const downloaded = await downloadedVariants(entry, cacheRoot).catch(() => [] as VariantKind[]);
    const variant = defaultVariant(entry, onCpu);
    const marks = [downloaded.length > 0 ? `$(check) downloaded (${downloaded.join(', ')})` : `$(cloud-download) ${describeVariant(entry, variant)}`];
    if (current === entry.repoId) marks.push('current');
    catalog.push({
      label: entry.repoId,
      description: marks.join(' · '),
      detail: `${entry.parameters} parameters · ${describeLanguages(entry)} · ${entry.summary}${loadable(entry) ? '' : ` · ${entry.modelType}: not supported by this build yet`}`,
      modelPath: entry.repoId,
    });
  }
  const recent = [...new Set([current, ...deps.state.get<string[]>(RECENT_KEY, [])].filter((p) => p && !catalogEntry(p)))];
  const items: ModelItem[] = [
    { label: 'Hugging Face hub', kind: vscode.QuickPickItemKind.Separator },
    ...catalog,
    ...(recent.length ? [{ label: 'Used before', kind: vscode.QuickPickItemKind.Separator } as ModelItem] : []),
    ...recent.map((p) => ({ label: modelDisplayName(p), description: p === current ? 'current' : undefined, detail: p, modelPath: p })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Browse…', description: 'a folder with config.json, tokenizer.json and onnx/model.onnx', action: 'browse' },
    { label: '$(cloud) Hub repo id…', description: 'owner/name[@revision] of a GPT-2-family ONNX export', action: 'hub' },
  ];
  const title = 'Ghostwriter: Choose Model';
  deps.recordPick?.({ title, items: items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator).map(({ label, description, detail }) => ({ label, description, detail })) });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'A model from the Hugging Face hub, or a model folder', matchOnDetail: true });
  if (!picked) return undefined;
  if (picked.modelPath) return picked.modelPath;
  if (picked.action === 'hub') {
    const text = await vscode.window.showInputBox({
      title: 'Ghostwriter: Hub Repo Id',
      prompt: 'owner/name, optionally @revision (a branch, tag or commit), of an ONNX export in the hub layout',
      placeHolder: 'Xenova/gpt2',
      value: catalogEntry(current) || !isHubId(current) ? '' : current,
      validateInput: (v) => hubIdProblem(v),
    });
    return text?.trim() || undefined;
  }
  const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use this model' });
  return folders?.[0]?.fsPath;
}

interface VariantItem extends vscode.QuickPickItem {
  readonly modelFile: ModelFile;
}

const KIND_FILE: Record<VariantKind, Exclude<ModelFile, 'auto'>> = { int8: 'quantized', fp16: 'fp16', fp32: 'fp32' };
const KIND_NOTE: Record<VariantKind, string> = {
  int8: 'a quarter of the bytes per token: fastest on the CPU',
  fp16: 'half the memory: best on CUDA',
  fp32: 'full precision',
};

/** The variant (ghostwriter.modelFile) for a model; int8 first on the CPU, fp16 (else fp32) first on CUDA. */
async function pickVariant(deps: ChooseModelDeps, modelPath: string): Promise<ModelFile | undefined> {
  const onCpu = deps.onCpu();
  const where = onCpu ? 'recommended on the CPU' : 'recommended on CUDA';
  const entry = catalogEntry(modelPath);
  let items: VariantItem[];
  if (entry && isHubId(modelPath)) {
    items = await catalogVariants(entry, onCpu, deps.cacheRoot(), where);
  } else {
    const kinds = isHubId(modelPath) ? (['int8', 'fp16', 'fp32'] as VariantKind[]) : folderVariants(modelPath);
    // One file (or a folder that cannot be read): nothing to choose; auto loads what is there.
    if (!isHubId(modelPath) && kinds.length <= 1) return 'auto';
    const order: VariantKind[] = onCpu ? ['int8', 'fp32', 'fp16'] : ['fp16', 'fp32', 'int8'];
    items = [
      { label: 'Automatic', description: onCpu ? 'int8 when there is one, else fp32' : 'fp32, else int8 or fp16', modelFile: 'auto' },
      ...order
        .filter((k) => kinds.includes(k))
        .map((k, i) => ({ label: k, description: `${KIND_NOTE[k]}${i === 0 ? ` · ${where}` : ''}${isHubId(modelPath) ? ' · if the repo has it' : ''}`, modelFile: KIND_FILE[k] })),
    ];
  }
  const current = deps.settings().modelFile;
  items = items.map((item) => (item.modelFile === current ? { ...item, description: [item.description, 'current setting'].filter(Boolean).join(' · ') } : item));
  const picked = await vscode.window.showQuickPick(items, { title: `Ghostwriter: Variant of ${modelDisplayName(modelPath)}`, placeHolder: 'Which ONNX file to load (ghostwriter.modelFile)' });
  return picked?.modelFile;
}

async function catalogVariants(entry: CatalogEntry, onCpu: boolean, cacheRoot: string, where: string): Promise<VariantItem[]> {
  const downloaded = await downloadedVariants(entry, cacheRoot).catch(() => [] as VariantKind[]);
  const first = defaultVariant(entry, onCpu);
  const variants = [first, ...entry.variants.filter((v) => v !== first)];
  return variants.map((v) => ({
    label: v.kind,
    description: [describeVariant(entry, v), downloaded.includes(v.kind) ? '$(check) downloaded' : '', v === first ? where : ''].filter(Boolean).join(' · '),
    detail: `${v.file}: ${KIND_NOTE[v.kind]}`,
    modelFile: v.modelFile,
  }));
}

/** Which variants a model folder has, by the files the loader would pick for each. */
function folderVariants(dir: string): VariantKind[] {
  return (['int8', 'fp16', 'fp32'] as VariantKind[]).filter((k) => onnxCandidates(KIND_FILE[k], true).some((p) => existsSync(join(dir, ...p.split('/')))));
}

function isHubId(modelPath: string): boolean {
  try {
    return parseModelSource(modelPath).kind === 'hub';
  } catch {
    return false;
  }
}

function hubIdProblem(text: string): string | undefined {
  if (text.trim() === '') return 'Enter owner/name, e.g. Xenova/gpt2';
  try {
    parseRepoId(text.trim());
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
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

const MODEL_FILES: readonly string[] = ['auto', 'fp32', 'fp16', 'quantized'];

function isModelChoice(arg: unknown): arg is ModelChoice {
  const a = arg as Partial<ModelChoice> | undefined;
  return !!a && typeof a.modelPath === 'string' && typeof a.temperature === 'number' && (a.modelFile === undefined || MODEL_FILES.includes(a.modelFile));
}

async function rememberRecent(state: vscode.Memento, modelPath: string): Promise<void> {
  const recent = state.get<string[]>(RECENT_KEY, []).filter((p) => p !== modelPath);
  await state.update(RECENT_KEY, [modelPath, ...recent].slice(0, MAX_RECENT));
}
