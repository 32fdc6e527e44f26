// The model setting → a folder the inference process can load, and the name to show for it.
// ghostwriter.modelPath is a folder or a hub repo id[@revision]; a hub id goes through the hub
// module (src/core/hub), which downloads only what is missing into the Hugging Face cache (a model
// already there needs no request). Progress and cancellation reach the editor through the
// `onDownload` callback; the token comes from a callback too (the extension's secret storage).
import { basename } from 'node:path';
import type { Settings } from './config';
import { GhostwriterError } from './errors';
import { defaultEndpoint, describeSnapshotDir, hubCacheRoot, parseModelSource, resolveModel, type DownloadProgress, type ModelSource } from './hub/index';
import type { Logger } from './logger';

export interface LoadableModel {
  /** The folder to load (a snapshot in the Hugging Face cache for a hub id). */
  readonly dir: string;
  /** What the status bar and messages call it: the repo id for a hub model, else the folder's name. */
  readonly name: string;
  readonly hub?: { readonly repoId: string; readonly revision: string; readonly commit: string; readonly fromCache: boolean; readonly downloadedBytes: number };
}

/** Resolves the settings' model; rejects with a GhostwriterError (hub-*, download-corrupt, disk-full, cancelled…). */
export type ModelSourceResolver = (settings: Settings, signal: AbortSignal) => Promise<LoadableModel>;

export interface DownloadStart {
  readonly repoId: string;
  readonly revision: string;
  /** Bytes this download fetches (files already in the cache not counted). */
  readonly total: number;
  readonly fileCount: number;
}

export type DownloadOutcome = 'done' | 'cancelled' | 'failed';

export interface DownloadReporter {
  progress(progress: DownloadProgress): void;
  end(outcome: DownloadOutcome): void;
}

export interface ModelSourceOptions {
  /** A Hugging Face token for private and gated repos; default HF_TOKEN. Never logged. */
  readonly token?: () => Promise<string | undefined> | string | undefined;
  /** Default HF_HUB_CACHE / HF_HOME / ~/.cache/huggingface/hub, read when a model is resolved. */
  readonly cacheRoot?: () => string;
  /** Whether the model will run on the CPU (then `auto` takes the int8 file); default: unless executionProvider is cuda. */
  readonly onCpu?: (settings: Settings) => boolean;
  /** A download starts (some file is missing from the cache); `cancel` stops it (it resumes next time). */
  readonly onDownload?: (start: DownloadStart, cancel: () => void) => DownloadReporter | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
}

/** 'auto' runs on the CPU unless the CUDA provider is there (the engine decides the same way). */
export function runsOnCpu(settings: Pick<Settings, 'executionProvider'>, cudaProviderInstalled: boolean): boolean {
  return settings.executionProvider === 'cpu' || (settings.executionProvider === 'auto' && !cudaProviderInstalled);
}

/** ghostwriter.hubEndpoint, else HF_ENDPOINT, else https://huggingface.co. */
export function hubEndpointFor(settings: Pick<Settings, 'hubEndpoint'>, env: NodeJS.ProcessEnv = process.env): string {
  return settings.hubEndpoint.trim() || defaultEndpoint(env);
}

/**
 * The name to show for a model setting before (or without) resolving it: a hub id as written
 * (with its revision unless it is main), a snapshot folder of the Hugging Face cache as its repo
 * id, any other folder by its name.
 */
export function modelDisplayName(modelPath: string, parse: (text: string) => ModelSource = parseModelSource): string {
  let source: ModelSource;
  try {
    source = parse(modelPath);
  } catch {
    return basename(modelPath.trim()) || modelPath;
  }
  if (source.kind === 'hub') return source.revision === 'main' ? source.repoId : `${source.repoId}@${source.revision}`;
  return describeSnapshotDir(source.path)?.repoId ?? basename(source.path);
}

export function createModelSourceResolver(options: ModelSourceOptions = {}): ModelSourceResolver {
  return async (settings, signal) => {
    const env = options.env ?? process.env;
    const source = parseModelSource(settings.modelPath);
    if (source.kind === 'folder') return { dir: source.path, name: modelDisplayName(source.path) };

    const own = new AbortController();
    const combined = AbortSignal.any([signal, own.signal]);
    let reporter: DownloadReporter | undefined;
    let started = false;
    const onProgress = (p: DownloadProgress) => {
      if (!started) {
        started = true;
        options.log?.info(`downloading ${source.repoId}@${source.revision}: ${p.fileCount} file(s), ${p.total} bytes`);
        reporter = options.onDownload?.({ repoId: source.repoId, revision: source.revision, total: p.total, fileCount: p.fileCount }, () => own.abort());
      }
      reporter?.progress(p);
    };
    const token = ((await options.token?.()) ?? env['HF_TOKEN'])?.trim() || undefined;
    let outcome: DownloadOutcome = 'failed';
    try {
      const resolved = await resolveModel({
        source,
        modelFile: settings.modelFile,
        onCpu: options.onCpu ? options.onCpu(settings) : settings.executionProvider !== 'cuda',
        endpoint: hubEndpointFor(settings, env),
        token,
        cacheRoot: options.cacheRoot ? options.cacheRoot() : hubCacheRoot(env),
        offline: ['1', 'on', 'yes', 'true'].includes((env['HF_HUB_OFFLINE'] ?? '').trim().toLowerCase()),
        signal: combined,
        onProgress,
      });
      if (resolved.kind !== 'hub') throw new GhostwriterError('internal', `${settings.modelPath} resolved to a folder`);
      outcome = 'done';
      if (resolved.note) options.log?.warn(resolved.note);
      options.log?.info(
        `${resolved.repoId}@${resolved.revision}: commit ${resolved.commit}, ${resolved.onnxFile}, ${resolved.fromCache ? 'from the Hugging Face cache (no request)' : `downloaded ${resolved.downloadedBytes} bytes`}: ${resolved.dir}`,
      );
      return {
        dir: resolved.dir,
        name: modelDisplayName(settings.modelPath),
        hub: { repoId: resolved.repoId, revision: resolved.revision, commit: resolved.commit, fromCache: resolved.fromCache, downloadedBytes: resolved.downloadedBytes },
      };
    } catch (err) {
      if (err instanceof GhostwriterError && err.code === 'cancelled') outcome = 'cancelled';
      throw err;
    } finally {
      reporter?.end(outcome);
    }
  };
}

/** Folders as they are, hub ids through the cache with HF_ENDPOINT / HF_TOKEN and no progress UI. */
export const resolveModelSource: ModelSourceResolver = createModelSourceResolver();
