// The settings, their defaults and their bounds: one module, checked against package.json by a test.
import { normalizeEndpoint } from './hub/http';

export type ExecutionProvider = 'auto' | 'cuda' | 'cpu';
export type ModelFile = 'auto' | 'fp32' | 'fp16' | 'quantized';
export type LineMode = 'auto' | 'singleLine' | 'multiLine';
/** Where the tokens come from: the local model, or a completion server speaking one of these engines' dialects (src/core/remote/). */
export type ServerBackend = 'local' | 'llama.cpp' | 'ollama' | 'openai' | 'tgi';
/** The FIM layout a client builds for a server ('auto': the server's own where it has one, else the model's tokens or name). */
export type ServerFimTemplate = 'auto' | 'qwen' | 'starcoder' | 'deepseek' | 'codellama' | 'none';
/** ghostwriter.enable: one switch for every language, or per language id with "*" for the rest (src/core/enablement.ts). */
export type EnableSetting = boolean | { readonly [languageId: string]: boolean };

export interface Settings {
  readonly enable: EnableSetting;
  /** A model folder in the hub layout, or a hub repo id[@revision] (src/core/modelSource.ts); '' = none chosen yet. */
  readonly modelPath: string;
  readonly modelFile: ModelFile;
  readonly executionProvider: ExecutionProvider;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
  readonly maxNewTokens: number;
  readonly contextTokens: number;
  /** With FIM, the share of the prompt budget the text after the cursor may take (0 to 0.5). */
  readonly suffixShare: number;
  /** Snippets of other open editors of the language and of recent edits, as comments before the prefix. */
  readonly extraContext: boolean;
  readonly debounceMs: number;
  readonly timeoutMs: number;
  readonly lineMode: LineMode;
  /** Hide a suggestion whose mean token log-probability is below confidenceThreshold. */
  readonly confidenceGate: boolean;
  readonly confidenceThreshold: number;
  /** Candidates an explicit trigger samples (ranked, deduplicated); automatic triggers ask for one. */
  readonly alternatives: number;
  /** The Hugging Face hub (or a mirror) hub repo ids download from; '' = HF_ENDPOINT, else https://huggingface.co. */
  readonly hubEndpoint: string;
  /** Minutes with no request after which the inference process exits and returns its memory (0: never). */
  readonly idleUnloadMinutes: number;
  /** 'local' (the ONNX model) or a completion server's engine; with a server, the local model (when chosen) is the fallback. */
  readonly serverBackend: ServerBackend;
  /** The server's base URL (http(s)://host:port); its API key is in the secret storage. */
  readonly serverEndpoint: string;
  /** The model name the server knows (Ollama's tag, vLLM's served name; a hub id lets the client read its FIM tokens). */
  readonly serverModel: string;
  readonly serverFimTemplate: ServerFimTemplate;
  /** A PEM file of certificates to trust for an https endpoint (a team's own CA); '' = the system's. */
  readonly serverCaFile: string;
  /**
   * Keys the user set (in any scope). Those not set may be tuned to the machine (tuning.ts);
   * absent: treat every key as set.
   */
  readonly explicit?: ReadonlySet<keyof Settings>;
}

export const DEFAULTS: Settings = Object.freeze({
  enable: Object.freeze({ '*': true, markdown: false, plaintext: false }),
  modelPath: '',
  modelFile: 'auto',
  executionProvider: 'auto',
  temperature: 0.2,
  topK: 50,
  topP: 0.95,
  repetitionPenalty: 1.0,
  maxNewTokens: 32,
  contextTokens: 512,
  suffixShare: 0.25,
  extraContext: true,
  debounceMs: 150,
  timeoutMs: 3000,
  lineMode: 'auto',
  confidenceGate: false,
  confidenceThreshold: -3,
  alternatives: 3,
  hubEndpoint: '',
  idleUnloadMinutes: 0,
  serverBackend: 'local',
  serverEndpoint: '',
  serverModel: '',
  serverFimTemplate: 'auto',
  serverCaFile: '',
});

interface NumberRule {
  readonly kind: 'number' | 'integer';
  readonly minimum: number;
  readonly maximum: number;
}
interface EnumRule {
  readonly kind: 'enum';
  readonly values: readonly string[];
}
interface SimpleRule {
  readonly kind: 'boolean' | 'string';
  /** 'http-url': empty, or an http(s) URL without user, password, query or fragment. */
  readonly format?: 'http-url';
  /** What the URL is, in messages ('hub endpoint' unless said). */
  readonly names?: string;
}
/** A boolean, or an object of booleans by language id ("*": the other languages). */
interface LanguageMapRule {
  readonly kind: 'languageMap';
}
export type Rule = NumberRule | EnumRule | SimpleRule | LanguageMapRule;

/** Type and bounds of every setting; package.json's schema must say the same. */
export const RULES: { readonly [K in Exclude<keyof Settings, 'explicit'>]: Rule } = {
  enable: { kind: 'languageMap' },
  modelPath: { kind: 'string' },
  modelFile: { kind: 'enum', values: ['auto', 'fp32', 'fp16', 'quantized'] },
  executionProvider: { kind: 'enum', values: ['auto', 'cuda', 'cpu'] },
  temperature: { kind: 'number', minimum: 0, maximum: 2 },
  topK: { kind: 'integer', minimum: 0, maximum: 1000 },
  topP: { kind: 'number', minimum: 0, maximum: 1 },
  repetitionPenalty: { kind: 'number', minimum: 1, maximum: 2 },
  maxNewTokens: { kind: 'integer', minimum: 1, maximum: 256 },
  contextTokens: { kind: 'integer', minimum: 16, maximum: 8192 },
  suffixShare: { kind: 'number', minimum: 0, maximum: 0.5 },
  extraContext: { kind: 'boolean' },
  debounceMs: { kind: 'integer', minimum: 0, maximum: 2000 },
  timeoutMs: { kind: 'integer', minimum: 100, maximum: 60000 },
  lineMode: { kind: 'enum', values: ['auto', 'singleLine', 'multiLine'] },
  confidenceGate: { kind: 'boolean' },
  confidenceThreshold: { kind: 'number', minimum: -20, maximum: 0 },
  alternatives: { kind: 'integer', minimum: 1, maximum: 5 },
  hubEndpoint: { kind: 'string', format: 'http-url' },
  idleUnloadMinutes: { kind: 'integer', minimum: 0, maximum: 1440 },
  serverBackend: { kind: 'enum', values: ['local', 'llama.cpp', 'ollama', 'openai', 'tgi'] },
  serverEndpoint: { kind: 'string', format: 'http-url', names: 'server endpoint' },
  serverModel: { kind: 'string' },
  serverFimTemplate: { kind: 'enum', values: ['auto', 'qwen', 'starcoder', 'deepseek', 'codellama', 'none'] },
  serverCaFile: { kind: 'string' },
};

export const SETTINGS_SECTION = 'ghostwriter';

/** Settings whose change picks another server (or none): the router is rebuilt and the state reloaded. */
export const SERVER_KEYS: readonly (keyof Settings)[] = ['serverBackend', 'serverEndpoint', 'serverModel', 'serverFimTemplate', 'serverCaFile'];

/**
 * Settings that point the extension at something outside the document: which model folder or hub
 * repo to load, which of its files, which native provider, which server to download from. They are
 * scope "machine" in package.json (VS Code keeps workspace and folder values of such settings out),
 * and the code reads them from the user's settings only (userValue), so that a workspace's
 * .vscode/settings.json cannot redirect them even where an editor applied it. Not machine-overridable:
 * that scope exists to let a workspace override, which is the thing to prevent.
 */
export const MACHINE_KEYS: readonly (keyof Settings)[] = [
  'modelPath',
  'modelFile',
  'executionProvider',
  'hubEndpoint',
  // Where the user's code is sent: a workspace must never be able to point it elsewhere.
  ...SERVER_KEYS,
];

/** What the editor reports for one setting, in every scope (VS Code's WorkspaceConfiguration.inspect). */
export interface InspectedValue {
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
  readonly globalLanguageValue?: unknown;
  readonly workspaceLanguageValue?: unknown;
  readonly workspaceFolderLanguageValue?: unknown;
}

/** A machine key's value: the user's own (no language override, no workspace, no folder); undefined = the default. */
export function userValue(inspected: InspectedValue | undefined): unknown {
  return inspected?.globalValue;
}

/** Settings whose change needs the model reloaded; the rest apply to the next request. */
export const RELOAD_KEYS: readonly (keyof Settings)[] = ['enable', 'modelPath', 'modelFile', 'executionProvider', 'hubEndpoint'];

export interface ParsedSettings {
  readonly settings: Settings;
  /** One line per value that was refused (and replaced by its default). */
  readonly problems: readonly string[];
}

/** Validates raw values (as read from the editor); a bad value falls back to its default, with a problem. */
export function parseSettings(raw: { readonly [key: string]: unknown }): ParsedSettings {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const explicit = new Set<keyof Settings>();
  for (const key of Object.keys(RULES) as (keyof typeof RULES)[]) {
    const value = raw[key];
    if (value === undefined || value === null) {
      out[key] = DEFAULTS[key];
      continue;
    }
    explicit.add(key);
    const problem = check(RULES[key], value);
    if (problem) {
      problems.push(`${SETTINGS_SECTION}.${key}: ${problem}; using the default ${JSON.stringify(DEFAULTS[key])}.`);
      out[key] = DEFAULTS[key];
    } else {
      out[key] = value;
    }
  }
  out['explicit'] = explicit;
  return { settings: Object.freeze(out) as unknown as Settings, problems };
}

function check(rule: Rule, value: unknown): string | undefined {
  switch (rule.kind) {
    case 'languageMap': {
      if (typeof value === 'boolean') return undefined;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected true, false or an object of language ids to true or false, got ${JSON.stringify(value)}`;
      const bad = Object.entries(value).find(([, v]) => typeof v !== 'boolean');
      return bad ? `expected true or false for "${bad[0]}", got ${JSON.stringify(bad[1])}` : undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${JSON.stringify(value)}`;
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${JSON.stringify(value)}`;
      return rule.format === 'http-url' ? urlProblem(value, rule.names) : undefined;
    case 'enum':
      return typeof value === 'string' && rule.values.includes(value)
        ? undefined
        : `expected one of ${rule.values.join(', ')}, got ${JSON.stringify(value)}`;
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number, got ${JSON.stringify(value)}`;
      if (rule.kind === 'integer' && !Number.isInteger(value)) return `expected a whole number, got ${value}`;
      if (value < rule.minimum || value > rule.maximum) {
        return `expected ${rule.minimum} to ${rule.maximum}, got ${value}`;
      }
      return undefined;
    }
  }
}

function urlProblem(value: string, names: string | undefined): string | undefined {
  if (value.trim() === '') return undefined;
  try {
    normalizeEndpoint(value, names);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/\.$/, '');
  }
}
