// "Ghostwriter: Enable GPU (CUDA)": installs ONNX Runtime's CUDA provider libraries, which the
// onnxruntime-node npm package leaves out, from NuGet (src/core/gpu/install.ts) into the bundled
// onnxruntime-node, under a progress notification with Cancel; then restarts the inference process
// and reloads the model, which 'auto' and 'cuda' now try on CUDA. Linux x64 only: elsewhere the
// command is not in the palette, and run anyway it says why.
import * as vscode from 'vscode';
import { SETTINGS_SECTION, type Settings } from '../core/config';
import type { EngineState } from '../core/engineState';
import { GhostwriterError } from '../core/errors';
import { installCudaProviders, missingProviderLibraries, sourceFromEnv, type InstallProgress, type InstallReport } from '../core/gpu/install';
import { canInstallCudaProviders, platformKey } from '../core/gpu/providerReason';
import { formatSize } from '../core/hub/catalog';
import type { Logger } from '../core/logger';
import { ortBinding } from '../inference/cuda';

/** The palette shows the command where this context key is true. */
export const CAN_ENABLE_GPU_CONTEXT = 'ghostwriter.canEnableGpu';

export interface EnableGpuDeps {
  readonly log: Logger;
  readonly settings: () => Settings;
  /** Ends the inference process: the next load starts a fresh one, which loads the provider libraries. */
  readonly stopEngine: () => void;
  /** Reloads the model from the settings (forced). */
  readonly reload: () => Promise<EngineState>;
}

/** What the command did, for tests and the log. */
export type EnableGpuOutcome =
  | { readonly kind: 'unsupported'; readonly platform: string }
  | { readonly kind: 'failed' | 'cancelled'; readonly message: string }
  | { readonly kind: 'done'; readonly report?: InstallReport; readonly state?: EngineState };

const REPORT_EVERY_MS = 100;

export async function enableGpu(deps: EnableGpuDeps): Promise<EnableGpuOutcome> {
  const { log } = deps;
  const platform = platformKey();
  if (!canInstallCudaProviders(platform)) {
    const message =
      `Ghostwriter: Enable GPU (CUDA) works on Linux x64 only (this is ${platform}): ONNX Runtime's CUDA provider for Node comes from ` +
      "NuGet's Microsoft.ML.OnnxRuntime.Gpu.Linux, which has no other builds. Ghostwriter runs on the CPU here.";
    log.info(message);
    void vscode.window.showErrorMessage(message);
    return { kind: 'unsupported', platform };
  }
  let report: InstallReport | undefined;
  try {
    const binding = ortBinding();
    const missing = missingProviderLibraries(binding.dir);
    if (missing.length === 0) {
      log.info(`the CUDA provider libraries are already in ${binding.dir}`);
    } else {
      log.info(`installing the CUDA provider libraries of onnxruntime-node ${binding.version} into ${binding.dir} (missing: ${missing.join(', ')})`);
      report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Ghostwriter: Enable GPU (CUDA)', cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return installCudaProviders({ version: binding.version, bindingDir: binding.dir, ...sourceFromEnv(), signal: abort.signal, onProgress: reporter(progress) });
        },
      );
      log.info(
        `installed from ${report.source} (${report.checksum}): ${report.placed.map((p) => `${p.name} ${formatSize(p.bytes)}`).join(', ')}` +
          (report.absent.length ? `; the package had no ${report.absent.join(', ')}` : ''),
      );
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof GhostwriterError && err.code === 'cancelled') {
      log.info(message);
      void vscode.window.showInformationMessage(`Ghostwriter: ${message}`);
      return { kind: 'cancelled', message };
    }
    log.error(`Enable GPU (CUDA) failed: ${message}`);
    void vscode.window.showErrorMessage(`Ghostwriter: ${message}`);
    return { kind: 'failed', message };
  }
  // A fresh process: the old one may have looked for the libraries already.
  deps.stopEngine();
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  if (deps.settings().executionProvider === 'cpu') {
    // Enabling the GPU is asking for it: 'auto' tries CUDA and keeps the CPU when it does not start.
    await config.update('executionProvider', 'auto', vscode.ConfigurationTarget.Global);
    log.info('ghostwriter.executionProvider was cpu; set to auto');
  }
  if (!deps.settings().modelPath) {
    void vscode.window.showInformationMessage('Ghostwriter: the CUDA provider libraries are installed. Choose a model to run on the GPU.');
    return { kind: 'done', ...(report ? { report } : {}) };
  }
  const state = await deps.reload();
  if (state.kind === 'ready' && state.provider === 'cuda') {
    const speed = state.msPerToken ? ` (${(1000 / state.msPerToken).toFixed(0)} tokens/s)` : '';
    void vscode.window.showInformationMessage(`Ghostwriter: ${state.modelName ?? 'the model'} runs on CUDA now${speed}.`);
  } else if (state.kind === 'ready') {
    // The libraries are in place; the GPU, its driver or CUDA/cuDNN is what is missing.
    void vscode.window.showWarningMessage(`Ghostwriter: the CUDA provider libraries are installed. ${state.fallbackReason ?? 'CUDA did not start'}. Running on the CPU.`);
  }
  return { kind: 'done', ...(report ? { report } : {}), state };
}

/** Progress messages: the download with bytes and percent, then each library unpacked. */
function reporter(progress: vscode.Progress<{ message?: string; increment?: number }>): (p: InstallProgress) => void {
  let shown = 0;
  let last = 0;
  // The download is most of the work; unpacking the rest.
  const at = (fraction: number, message: string, force = false) => {
    const now = Date.now();
    if (!force && now - last < REPORT_EVERY_MS) return;
    last = now;
    const target = Math.min(100, Math.max(shown, fraction * 100));
    progress.report({ message, increment: target - shown });
    shown = target;
  };
  return (p) => {
    if (p.step === 'locating') at(0, `Looking up ${p.source}…`, true);
    else if (p.step === 'downloading') {
      const of = p.total ? ` of ${formatSize(p.total)} (${Math.floor((100 * p.bytes) / p.total)}%)` : '';
      at(p.total ? (0.85 * p.bytes) / p.total : 0, `Downloading the CUDA provider package: ${formatSize(p.bytes)}${of}`);
    } else if (p.step === 'verifying') at(0.85, 'Checking the package…', true);
    else at(0.85 + (0.15 * p.bytes) / Math.max(1, p.total), `Unpacking ${p.file}`);
  };
}
