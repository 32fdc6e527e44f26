// One status bar item showing the model and what the engine is doing; a click opens the chooser
// (with no model chosen yet: the offer of the recommended model, as on the first run).
import * as vscode from 'vscode';
import { shortReason, type EngineState } from '../core/engineState';
import { COMMANDS } from './commandIds';

const ICONS = { disabled: '$(circle-slash)', loading: '$(sync~spin)', ready: '$(sparkle)', generating: '$(loading~spin)', error: '$(error)' } as const;

/** What follows the model name: the provider when it runs, a short reason when it failed. */
function detail(state: EngineState): string {
  if (state.kind === 'error' && state.message) return ` — ${shortReason(state.message)}`;
  if (state.kind === 'loading') return ' (loading)';
  if (state.kind === 'disabled') return state.errorCode === 'cancelled' ? ' (download cancelled)' : ' (off)';
  if (state.idleUnloaded) return ' (unloaded while idle)';
  if (state.failedModel && state.message) return ` — ${shortReason(state.message)}`;
  return state.provider ? ` · ${state.provider.toUpperCase()}` : '';
}

/** Where the model runs and why: CUDA, the CPU as chosen, or the CPU because CUDA did not start ('auto': a note; 'cuda': a warning). */
function runsWhere(state: EngineState): string | undefined {
  if (!state.provider) return undefined;
  if (state.provider === 'cuda') return 'Runs on: CUDA (the GPU)';
  if (!state.fallbackReason) return 'Runs on: the CPU (ghostwriter.executionProvider is cpu)';
  return `${state.cudaRequested ? '$(warning)' : '$(info)'} Runs on: the CPU. ${state.fallbackReason}.`;
}

/** When the switch is why nothing shows here: a short note for the text, a line for the tooltip. */
export interface GateView {
  readonly note: string;
  readonly detail: string;
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ghostwriter.status', vscode.StatusBarAlignment.Right, 100);
  /** Snoozed, or off for the active editor's language (src/vscode/enablement.ts). */
  private gate: () => GateView | undefined = () => undefined;

  constructor(
    private readonly stats: () => { readonly lastPromptTokens: number; readonly lastCachedTokens: number },
    /** Whether no model is chosen (the settings' modelPath is empty). */
    private readonly noModel: () => boolean = () => false,
  ) {
    this.item.name = 'Ghostwriter';
    this.item.command = COMMANDS.chooseModel;
    this.item.show();
  }

  /** The text as shown now (for the API the tests read). */
  get text(): string {
    return this.item.text;
  }

  showGate(gate: () => GateView | undefined): void {
    this.gate = gate;
  }

  update(state: EngineState): void {
    const model = state.modelName ?? 'no model';
    const provider = state.provider ? ` (${state.provider.toUpperCase()})` : '';
    const icon = state.kind === 'ready' && (state.cudaRequested || state.failedModel) ? '$(warning)' : ICONS[state.kind];
    const gate = state.kind === 'ready' || state.kind === 'generating' ? this.gate() : undefined;
    this.item.text = gate ? `$(bell-slash) Ghostwriter: ${model} — ${gate.note}` : `${icon} Ghostwriter: ${model}${detail(state)}`;
    const lines = [`**Ghostwriter** — ${gate ? gate.note : state.kind}`, `Model: ${model}${provider}`];
    if (gate) lines.push(gate.detail);
    if (state.msPerToken) lines.push(`Speed: ${(1000 / state.msPerToken).toFixed(0)} tokens/s (${state.msPerToken.toFixed(1)} ms a token, measured at load)`);
    const { lastPromptTokens, lastCachedTokens } = this.stats();
    if (lastPromptTokens > 0) lines.push(`Last request: ${lastCachedTokens} of ${lastPromptTokens} prompt tokens from the cache`);
    const where = runsWhere(state);
    if (where) lines.push(where);
    if (state.failedModel) lines.push(`${state.failedModel} did not load; ${model} goes on serving.`);
    if (state.message) lines.push(state.message);
    const offer = state.kind === 'disabled' && !state.errorCode && this.noModel();
    this.item.command = offer ? COMMANDS.getStarted : COMMANDS.chooseModel;
    lines.push(offer ? 'Click to download a recommended model and start.' : 'Click to choose the model and temperature.');
    this.item.tooltip = new vscode.MarkdownString(lines.join('\n\n'), true);
    this.item.backgroundColor = state.kind === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.accessibilityInformation = { label: `Ghostwriter ${state.kind}, model ${model}${state.message ? ': ' + state.message : ''}` };
  }

  dispose(): void {
    this.item.dispose();
  }
}
