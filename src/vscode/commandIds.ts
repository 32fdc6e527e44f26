// Command ids, as declared in package.json's contributes.commands.
export const COMMANDS = {
  chooseModel: 'ghostwriter.chooseModel',
  reloadModel: 'ghostwriter.reloadModel',
  showLog: 'ghostwriter.showLog',
  /** Offers the recommended catalog model (the first-run notification; the status bar with no model). */
  getStarted: 'ghostwriter.getStarted',
  /** Not in the palette: what accepting the offer runs; `{ repoId?, modelFile? }`, default the recommended one. */
  downloadModel: 'ghostwriter.downloadModel',
  setHubToken: 'ghostwriter.setHubToken',
  clearHubToken: 'ghostwriter.clearHubToken',
  /** The completion server's API key, in the secret storage (src/vscode/remoteKey.ts). */
  setServerKey: 'ghostwriter.setServerKey',
  clearServerKey: 'ghostwriter.clearServerKey',
  /** Installs the CUDA provider libraries from NuGet and restarts on CUDA (Linux x64). */
  enableGpu: 'ghostwriter.enableGpu',
  /** Flips ghostwriter.enable for a language: `languageId?`, default the active editor's. */
  toggleLanguage: 'ghostwriter.toggleLanguage',
  /** `minutes?` (5 or 30 from a pick when absent). */
  snooze: 'ghostwriter.snooze',
  resume: 'ghostwriter.resume',
} as const;
