// `ghostwriter complete`: the classic generate() example on the same engine as the extension
// (in-process here; the extension always goes through the inference process).
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { RULES, type ExecutionProvider, type ModelFile } from './core/config';
import { describeCause } from './core/errors';
import { createLogger } from './core/logger';
import type { CompletionOptions, NewlinePolicy } from './core/protocol';
import { createSnapshot } from './core/snapshot';
import { InferenceEngine } from './inference/engine';

const USAGE = `usage: node dist/cli.js complete --model DIR --prompt TEXT
  [--max-new-tokens N=50] [--temperature T=0.7] [--top-k K=50] [--top-p P=1] [--repetition-penalty R=1]
  [--seed S=1] [--num-return-sequences N=1] [--line-mode none|singleLine|multiLine]
  [--execution-provider auto|cuda|cpu] [--model-file auto|fp32|fp16|quantized] [--json] [--verbose]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
  if (!values.model || values.prompt === undefined) throw new UsageError('--model and --prompt are required');
  const options: CompletionOptions = {
    maxNewTokens: int(values['max-new-tokens'], 'max-new-tokens', 1, 4096),
    temperature: num(values.temperature, 'temperature', 0, 100),
    topK: int(values['top-k'], 'top-k', 0, 1_000_000),
    topP: num(values['top-p'], 'top-p', 0, 1),
    repetitionPenalty: num(values['repetition-penalty'], 'repetition-penalty', 1, 100),
    seed: int(values.seed, 'seed', 0, 2 ** 32 - 1),
    numReturnSequences: int(values['num-return-sequences'], 'num-return-sequences', 1, 64),
    newline: oneOf(values['line-mode'], 'line-mode', ['none', 'singleLine', 'multiLine']) as NewlinePolicy,
    contextTokens: Number.MAX_SAFE_INTEGER,
    timeoutMs: Number.MAX_SAFE_INTEGER,
  };
  // ONNX Runtime prints its own red lines when the CUDA provider is missing; the fallback
  // warning below says the same in one line. --verbose keeps them.
  if (!values.verbose) ort.env.logLevel = 'fatal';
  const log = createLogger((level, message) => {
    if (values.verbose || level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
  }, 'cli');
  const engine = await InferenceEngine.load(
    {
      modelDir: values.model,
      executionProvider: oneOf(values['execution-provider'], 'execution-provider', ruleValues('executionProvider')) as ExecutionProvider,
      modelFile: oneOf(values['model-file'], 'model-file', ruleValues('modelFile')) as ModelFile,
    },
    log,
  );
  try {
    const snapshot = createSnapshot({ prefix: values.prompt, suffix: '', languageId: 'plaintext', path: '<prompt>', version: 1 });
    const result = await engine.complete(snapshot, options);
    if (values.json) {
      process.stdout.write(
        JSON.stringify({ completions: result.completions.map(({ text, tokenIds }) => ({ text, tokenIds })), promptTokenIds: result.promptTokenIds, timings: result.timings }) + '\n',
      );
    } else {
      result.completions.forEach((c, i) => {
        if (result.completions.length > 1) process.stdout.write(`--- ${i + 1} ---\n`);
        process.stdout.write(`${values.prompt}${c.text}\n`);
      });
    }
    return 0;
  } finally {
    await engine.release();
  }
}

class UsageError extends Error {}

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
