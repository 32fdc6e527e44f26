// Wires a completion server into the editor: reads the machine-scoped server settings (the user's
// own values only, src/vscode/config.ts), the API key from the secret storage and the CA file,
// and gives the router a RemoteSource; sets it up again when any of these change. The status
// item follows the router's route.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { SERVER_KEYS, SETTINGS_SECTION, type Settings } from '../core/config';
import { describeCause } from '../core/errors';
import type { Logger } from '../core/logger';
import { DIALECTS } from '../core/remote/dialects';
import { templateFromHub } from '../core/remote/hubTokenizer';
import { RemoteSource } from '../core/remote/remoteSource';
import { hubEndpointFor } from '../core/modelSource';
import { readToken } from './token';
import type { CompletionRouter } from '../core/remote/router';
import { readServerKey } from './remoteKey';
import { RemoteStatus } from './remoteStatus';

export class RemoteWiring implements vscode.Disposable {
  readonly status: RemoteStatus;
  private readonly subs: vscode.Disposable[] = [];
  /** Settings read for the last setup: a later one replaces an earlier one still reading the key. */
  private generation = 0;

  constructor(
    private readonly router: CompletionRouter,
    private readonly settings: () => Settings,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Logger,
    /** The server changed: the service's state follows (a server with no local model is 'ready' too). */
    private readonly changed: () => unknown,
  ) {
    this.status = new RemoteStatus(() => this.settings().serverEndpoint);
    const sub = router.onDidChange((s) => this.status.update(s));
    this.subs.push({ dispose: () => sub.dispose() });
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (SERVER_KEYS.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`))) void this.setup();
      }),
    );
  }

  /** Builds the server from the settings (or none for 'local'); resolves when the router has it. */
  async setup(): Promise<void> {
    const generation = ++this.generation;
    const s = this.settings();
    if (s.serverBackend === 'local' || s.serverEndpoint.trim() === '') {
      if (s.serverBackend !== 'local') this.log.warn(`ghostwriter.serverBackend is ${s.serverBackend} but ghostwriter.serverEndpoint is empty: the local model answers`);
      if (this.router.server !== undefined) this.log.info('no completion server: suggestions come from the local model');
      this.router.setServer(undefined);
      this.status.update(this.router.state);
      this.changed();
      return;
    }
    const dialect = DIALECTS[s.serverBackend];
    if (!s.serverModel.trim() && (s.serverBackend === 'ollama' || s.serverBackend === 'openai')) this.log.warn(`ghostwriter.serverModel is empty: ${dialect.label} servers need the model's name (Choose Model lists the server's models)`);
    const key = dialect.usesKey ? await readServerKey(this.secrets) : undefined;
    let ca: string | undefined;
    if (s.serverCaFile.trim()) {
      try {
        ca = await readFile(s.serverCaFile.trim(), 'utf8');
      } catch (err) {
        this.log.error(`ghostwriter.serverCaFile ${s.serverCaFile} could not be read (${describeCause(err)}); the system's certificates are used`);
      }
    }
    // A client-built FIM prompt for a hub model: its own tokens, from its tokenizer files (two small JSON files from the hub).
    const model = s.serverModel.trim();
    const tokenizerTemplate = s.serverFimTemplate === 'auto' && !dialect.serverFim ? await templateFromHub(model, { endpoint: hubEndpointFor(s), ...(await tokenOf(this.secrets)) }, this.log) : undefined;
    if (generation !== this.generation) return;
    const source = new RemoteSource(
      { dialect, endpoint: s.serverEndpoint, model, fimTemplate: s.serverFimTemplate, ...(tokenizerTemplate ? { tokenizerTemplate } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) },
      this.log,
    );
    this.log.info(`suggestions from ${source.name} at ${s.serverEndpoint} (${dialect.serverFim && s.serverFimTemplate === 'auto' ? 'the server lays out fill-in-the-middle' : `FIM template ${source.template}`}${key ? ', with the stored API key' : ''}); the local model${s.modelPath ? '' : ' (none chosen)'} answers while it is down`);
    this.router.setServer(source);
    this.status.update(this.router.state);
    this.changed();
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
    this.status.dispose();
  }
}

async function tokenOf(secrets: vscode.SecretStorage): Promise<{ token?: string }> {
  const token = await readToken(secrets);
  return token ? { token } : {};
}
