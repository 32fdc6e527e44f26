// `ghostwriter complete`: the classic generate() example on the same engine as the extension
// (in-process here; the extension always goes through the inference process). With --suffix and
// --language the document around the cursor is the editor's; with --line-mode the request is
// the extension's too: its line policy, the stops that read the place while decoding, then the
// same post-processing (src/core/completion/suggestion.ts), so it prints what the editor would show.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { decide, type LineMode } from './core/completion/completionPolicy';
import { DEFAULTS, RULES, type ExecutionProvider, type ModelFile } from './core/config';
import { describeCause } from './core/errors';
import { defaultEndpoint, formatBytes, parseModelSource, resolveModel, type DownloadProgress } from './core/hub/index';
import { createLogger } from './core/logger';
import type { CompletionOptions, CompletionResult } from './core/protocol';
import { requestContext } from './core/completion/requestContext';
import { createSnapshot } from './core/snapshot';
import { suggestAll, type Suggestion } from './core/completion/suggestion';
import { cudaProviderInstalled } from './inference/cuda';
import { InferenceEngine } from './inference/engine';
import { runPostprocess } from './cliPostprocess';

const USAGE = `usage: node dist/cli.js complete --model DIR|OWNER/NAME[@REVISION] (--prompt TEXT | --prompt-file FILE|-)
  [--suffix TEXT | --suffix-file FILE|-] [--language ID=plaintext]
  [--revision REV=main] [--hub-endpoint URL=$HF_ENDPOINT|https://huggingface.co] (token: $HF_TOKEN)
  [--max-new-tokens N=50] [--temperature T=0.7] [--top-k K=50] [--top-p P=1] [--repetition-penalty R=1]
  [--seed S=1] [--num-return-sequences N=1] [--line-mode none|auto|singleLine|multiLine]
  [--context-tokens N=all that fits] [--suffix-share S=${DEFAULTS.suffixShare}]
  [--execution-provider auto|cuda|cpu] [--model-file auto|fp32|fp16|quantized] [--json] [--verbose]
  node dist/cli.js postprocess < cases.jsonl   (node dist/cli.js postprocess --help)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Replays post-processing over raw outputs (no model): src/cliPostprocess.ts.
  if (command === 'postprocess') return runPostprocess(rest);
  if (command !== 'complete') {
    process.stderr.write(`${command ? `unknown command "${command}"\n` : ''}${USAGE}\n`);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      model: { type: 'string' },
      prompt: { type: 'string' },
      'prompt-file': { type: 'string' },
      suffix: { type: 'string' },
      'suffix-file': { type: 'string' },
      language: { type: 'string', default: 'plaintext' },
      'context-tokens': { type: 'string' },
      'suffix-share': { type: 'string' },
      revision: { type: 'string' },
      'hub-endpoint': { type: 'string' },
      'max-new-tokens': { type: 'string', default: '50' },
      temperature: { type: 'string', default: '0.7' },
      'top-k': { type: 'string', default: '50' },
      'top-p': { type: 'string', default: '1' },
      'repetition-penalty': { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      'num-return-sequences': { type: 'string', default: '1' },
      'line-mode': { type: 'string', default: 'none' },
      'execution-provider': { type: 'string', default: 'auto' },
      'model-file': { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (!values.model || (values.prompt === undefined) === (values['prompt-file'] === undefined)) {
    throw new UsageError('--model and one of --prompt or --prompt-file are required');
  }
  for (const [arg, file] of [['prompt', 'prompt-file'], ['suffix', 'suffix-file']] as const) {
    const text = values[arg];
    if (text !== undefined && Buffer.byteLength(text) > MAX_PROMPT_ARG_BYTES) {
      throw new UsageError(
        `--${arg} is ${Buffer.byteLength(text)} bytes; a ${arg} over ${MAX_PROMPT_ARG_BYTES / 1024} KB must come from a file: ` +
          `--${file} FILE, or --${file} - to read it from stdin (onnxruntime crashes loading a model when the process has a command-line argument of about 29 KB or more)`,
      );
    }
  }
  if (values.suffix !== undefined && values['suffix-file'] !== undefined) throw new UsageError('--suffix and --suffix-file are two ways to give the same text: use one');
  if (values['prompt-file'] === '-' && values['suffix-file'] === '-') throw new UsageError('only one of --prompt-file and --suffix-file can read stdin');
  const lineMode = oneOf(values['line-mode'], 'line-mode', ['none', 'auto', 'singleLine', 'multiLine']) as LineMode | 'none';
  const source = parseModelSource(values.model, { revision: values.revision });
  const executionProvider = oneOf(values['execution-provider'], 'execution-provider', ruleValues('executionProvider')) as ExecutionProvider;
  const modelFile = oneOf(values['model-file'], 'model-file', ruleValues('modelFile')) as ModelFile;
  const options: CompletionOptions = {
    maxNewTokens: int(values['max-new-tokens'], 'max-new-tokens', 1, 4096),
    temperature: num(values.temperature, 'temperature', 0, 100),
    topK: int(values['top-k'], 'top-k', 0, 1_000_000),
    topP: num(values['top-p'], 'top-p', 0, 1),
    repetitionPenalty: num(values['repetition-penalty'], 'repetition-penalty', 1, 100),
    seed: int(values.seed, 'seed', 0, 2 ** 32 - 1),
    numReturnSequences: int(values['num-return-sequences'], 'num-return-sequences', 1, 64),
    newline: 'none',
    // The engine leaves room for the new tokens within n_positions.
    contextTokens: values['context-tokens'] === undefined ? Number.MAX_SAFE_INTEGER : int(values['context-tokens'], 'context-tokens', 1, 1_000_000),
    suffixShare: values['suffix-share'] === undefined ? DEFAULTS.suffixShare : num(values['suffix-share'], 'suffix-share', 0, 0.5),
    timeoutMs: Number.MAX_SAFE_INTEGER,
  };
  // ONNX Runtime prints its own red lines when the CUDA provider is missing; the fallback
  // warning below says the same in one line. --verbose keeps them.
  if (!values.verbose) ort.env.logLevel = 'fatal';
  const log = createLogger((level, message) => {
    if (values.verbose || level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
  }, 'cli');
  const prompt = values.prompt ?? (await readText(values['prompt-file']!, 'prompt-file'));
  const suffix = values.suffix ?? (values['suffix-file'] === undefined ? '' : await readText(values['suffix-file'], 'suffix-file'));
  let modelDir = source.kind === 'folder' ? source.path : '';
  if (source.kind === 'hub') {
    // The same choice the engine makes below: 'auto' runs on the CPU unless the CUDA provider is installed.
    const onCpu = executionProvider === 'cpu' || (executionProvider === 'auto' && !cudaProviderInstalled());
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const progress = progressPrinter();
    try {
      const model = await resolveModel({
        source,
        modelFile,
        onCpu,
        endpoint: values['hub-endpoint'] ?? defaultEndpoint(),
        token: process.env['HF_TOKEN']?.trim() || undefined,
        offline: ['1', 'on', 'yes', 'true'].includes((process.env['HF_HUB_OFFLINE'] ?? '').toLowerCase()),
        signal: abort.signal,
        onProgress: progress.update,
      });
      if (model.kind !== 'hub') throw new Error('unreachable');
      progress.done(model.downloadedBytes);
      if (model.note) log.warn(model.note);
      log.info(`${model.repoId}@${model.revision}: commit ${model.commit}, ${model.fromCache ? 'from the cache' : `downloaded ${formatBytes(model.downloadedBytes)}`}: ${model.dir}`);
      modelDir = model.dir;
    } finally {
      progress.done(0);
      process.removeListener('SIGINT', onSigint);
    }
  }
  const engine = await InferenceEngine.load({ modelDir, executionProvider, modelFile }, log);
  try {
    // The document as the extension sees it: the text before and after the cursor, the language.
    const path = values['prompt-file'] && values['prompt-file'] !== '-' ? values['prompt-file'] : '<prompt>';
    const snapshot = createSnapshot({ prefix: prompt, suffix, languageId: values.language!, path, version: 1 });
    // With a line mode, the extension's request: its line policy (the mid-line gate may refuse),
    // the stops that read the place, and afterwards its post-processing.
    const fim = engine.info.fim === true;
    const policy = lineMode === 'none' ? 'none' : decide(snapshot, lineMode, fim);
    let result: CompletionResult;
    let suggestions: Suggestion[] | undefined;
    if (policy === undefined) {
      log.warn('the mid-line gate: the text after the cursor on its line is not closers or punctuation, so the extension would not ask the model');
      result = { completions: [], promptTokenIds: [], timings: { tokenizeMs: 0, prefillMs: 0, decodeMs: 0, totalMs: 0, newTokens: 0 } };
      suggestions = [];
    } else {
      result = await engine.complete(snapshot, policy === 'none' ? options : { ...options, newline: policy, context: requestContext(snapshot, lineMode === 'none' ? undefined : lineMode) });
      if (lineMode !== 'none') suggestions = suggestAll(result.completions.map((c) => c.text), snapshot, lineMode, fim);
    }
    if (values.json) {
      const completions = result.completions.map(({ text, tokenIds, stopReason, meanLogprob }) => ({ text, tokenIds, stopReason, ...(meanLogprob !== undefined ? { meanLogprob } : {}) }));
      process.stdout.write(JSON.stringify({ completions, ...(suggestions ? { suggestions } : {}), promptTokenIds: result.promptTokenIds, timings: result.timings }) + '\n');
    } else {
      // The document with each suggestion accepted (raw: with each completion inserted).
      const shown = suggestions ?? result.completions.map((c) => ({ text: c.text, replaceSuffixChars: 0 }));
      shown.forEach((s, i) => {
        if (shown.length > 1) process.stdout.write(`--- ${i + 1} ---\n`);
        process.stdout.write(`${prompt}${s.text}${suffix.slice(s.replaceSuffixChars)}\n`);
      });
      if (shown.length === 0 && suggestions) process.stderr.write('no suggestion: the extension would show nothing here\n');
    }
    return 0;
  } finally {
    await engine.release();
  }
}

class UsageError extends Error {}

/** onnxruntime-node segfaults creating a session when the process has an argument of ~29 KB (../shared/notes/onnx-models-and-runtime.md). */
const MAX_PROMPT_ARG_BYTES = 16 * 1024;

async function readText(file: string, option: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --${option} ${file}: ${describeCause(err)}`);
  }
}

/** Download progress on stderr (stdout stays the completion, or the JSON): one updating line on a terminal, a line per file otherwise. */
function progressPrinter(): { update: (p: DownloadProgress) => void; done: (downloaded: number) => void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let last = 0;
  let file = '';
  let shown = false;
  return {
    update(p) {
      shown = true;
      if (!tty) {
        if (p.file !== file) process.stderr.write(`downloading ${p.file} (${formatBytes(p.fileTotal)}; ${p.fileIndex + 1} of ${p.fileCount}, ${formatBytes(p.total)} in all)\n`);
        file = p.file;
        return;
      }
      const now = Date.now();
      if (now - last < 100 && p.fileBytes < p.fileTotal) return;
      last = now;
      const pct = p.total > 0 ? Math.floor((100 * p.bytes) / p.total) : 100;
      process.stderr.write(`\r\x1b[Kdownloading ${p.file} ${formatBytes(p.fileBytes)}/${formatBytes(p.fileTotal)} · ${formatBytes(p.bytes)}/${formatBytes(p.total)} (${pct}%)`);
    },
    done(downloaded) {
      if (!shown) return;
      shown = false;
      if (tty) process.stderr.write('\r\x1b[K');
      if (downloaded > 0) process.stderr.write(`downloaded ${formatBytes(downloaded)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

function ruleValues(key: 'executionProvider' | 'modelFile'): readonly string[] {
  const rule = RULES[key];
  return rule.kind === 'enum' ? rule.values : [];
}

function num(text: string | undefined, name: string, min: number, max: number): number {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return v;
}

function int(text: string | undefined, name: string, min: number, max: number): number {
  const v = num(text, name, min, max);
  if (!Number.isInteger(v)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(text)}`);
  return v;
}

function oneOf(text: string | undefined, name: string, values: readonly string[]): string {
  if (text === undefined || !values.includes(text)) throw new UsageError(`--${name} must be one of ${values.join(', ')}, got ${JSON.stringify(text)}`);
  return text;
}

// exitCode, not exit(): stdout on a pipe may still be draining.
main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (err instanceof UsageError || (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`error: ${err.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`error: ${describeCause(err)}\n`);
    process.exitCode = 1;
  },
);
