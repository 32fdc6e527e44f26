// The prepared CUDA check (scripts/cuda-check.sh runs it): on Linux x64 with an NVIDIA GPU, generate a
// GPT-2-small model (random weights, the project's generator), install ONNX Runtime's CUDA provider
// libraries if they are missing (from NuGet, or from the .nupkg that GHOSTWRITER_CUDA_NUPKG names:
// for a machine without network), load the model on CUDA and on the CPU, decode 32 greedy tokens on
// each, compare the tokens and print ms/token for both. Without an NVIDIA GPU it says so and exits 0.
// Exit status: 0 passed (or nothing to check here), 1 failed (what failed is printed).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describeCause } from '../src/core/errors';
import { installCudaProviders, missingProviderLibraries, sourceFromEnv, ENV, type InstallProgress } from '../src/core/gpu/install';
import { createLogger } from '../src/core/logger';
import type { CompletionOptions } from '../src/core/protocol';
import { createSnapshot } from '../src/core/snapshot';
import { ortBinding } from '../src/inference/cuda';
import { InferenceEngine } from '../src/inference/engine';
import { ensureModel, GPT2_SMALL } from './model/generate';

const TOKENS = 32;
const PROMPT = 'def fibonacci(n):\n    """Return the n-th Fibonacci number."""\n';

const say = (line: string) => process.stdout.write(`cuda-check: ${line}\n`);
const verbose = process.argv.includes('--verbose');

/** The NVIDIA GPUs this machine has, from nvidia-smi (or the driver's /proc entries), and why none when none. */
function nvidiaGpus(): { gpus: string[]; why: string } {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const gpus = out.split('\n').filter((l) => /^GPU \d+:/.test(l.trim())).map((l) => l.trim());
    return { gpus, why: gpus.length ? '' : 'nvidia-smi lists no GPU' };
  } catch (err) {
    const procDir = '/proc/driver/nvidia/gpus';
    const proc = existsSync(procDir) ? readdirSync(procDir) : [];
    if (proc.length > 0) return { gpus: proc.map((p) => `GPU at PCI ${p} (/proc/driver/nvidia)`), why: '' };
    const e = err as { code?: string; stderr?: string; message?: string };
    const why = e.code === 'ENOENT' ? 'nvidia-smi is not installed and the NVIDIA driver lists no GPU in /proc/driver/nvidia' : `nvidia-smi failed: ${(e.stderr || e.message || '').trim().split('\n')[0]}`;
    return { gpus: [], why };
  }
}

async function main(): Promise<number> {
  const platform = `${process.platform}-${process.arch}`;
  if (platform !== 'linux-x64') {
    say(`SKIPPED: the CUDA check runs on Linux x64 only (this is ${platform}); nothing to check here.`);
    return 0;
  }
  const { gpus, why } = nvidiaGpus();
  if (gpus.length === 0) {
    say(`SKIPPED: no NVIDIA GPU on this machine (${why}); nothing to check here. Ghostwriter runs on the CPU on such a machine.`);
    return 0;
  }
  for (const g of gpus) say(g);
  const binding = ortBinding();
  say(`onnxruntime-node ${binding.version}, binding folder ${binding.dir}`);

  const missing = missingProviderLibraries(binding.dir);
  if (missing.length > 0) {
    const source = sourceFromEnv();
    say(`the CUDA provider libraries are missing (${missing.join(', ')}); installing them from ${source.nupkgPath ?? source.serviceIndex ?? 'NuGet (api.nuget.org)'}`);
    let lastTenth = -1;
    try {
      const report = await installCudaProviders({
        version: binding.version,
        bindingDir: binding.dir,
        ...source,
        onProgress: (p: InstallProgress) => {
          if (p.step !== 'downloading' || !p.total) return;
          const tenth = Math.floor((10 * p.bytes) / p.total);
          if (tenth !== lastTenth) say(`  downloading: ${(p.bytes / 2 ** 20).toFixed(0)} of ${(p.total / 2 ** 20).toFixed(0)} MB`);
          lastTenth = tenth;
        },
      });
      say(`installed from ${report.source} (${report.checksum}): ${report.placed.map((l) => l.name).join(', ')}`);
    } catch (err) {
      say(`FAILED: could not install the CUDA provider libraries: ${describeCause(err)}`);
      say(`  without network, download microsoft.ml.onnxruntime.gpu.linux.${binding.version}.nupkg elsewhere and run again with ${ENV.nupkg}=/path/to/it`);
      return 1;
    }
  } else {
    say('the CUDA provider libraries are installed');
  }

  const t0 = Date.now();
  const modelDir = await ensureModel('gpt2-small', GPT2_SMALL);
  say(`model: GPT-2-small shapes, random weights (${modelDir}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  const log = createLogger((level, message) => {
    if (verbose || level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
  }, 'cuda-check');
  const load = (executionProvider: 'cuda' | 'cpu') => InferenceEngine.load({ modelDir, modelFile: 'fp32', executionProvider }, log);
  const cuda = await load('cuda');
  try {
    if (cuda.info.provider !== 'cuda') {
      say(`FAILED: CUDA did not start: ${cuda.info.fallbackReason ?? 'no reason given'} (${cuda.info.fallbackKind ?? 'unknown'})`);
      return 1;
    }
    say(`loaded on CUDA in ${cuda.info.loadMs} ms`);
    const cpu = await load('cpu');
    try {
      say(`loaded on the CPU in ${cpu.info.loadMs} ms`);
      const results = [];
      for (const [name, engine] of [['CUDA', cuda], ['CPU', cpu]] as const) {
        await decode(engine); // warm-up: CUDA picks its kernels on the first runs
        const r = await decode(engine);
        results.push(r);
        say(`${name.padEnd(4)} ${(r.decodeMs / Math.max(1, r.tokenIds.length)).toFixed(2)} ms/token decoding ${r.tokenIds.length} tokens, prefill ${(r.prefillMs / r.promptTokens).toFixed(2)} ms/token (${r.promptTokens} prompt tokens)`);
      }
      const [a, b] = results;
      const ids = cuda.encode(PROMPT);
      const [la, lb] = [await cuda.logitsWithoutCache(ids), await cpu.logitsWithoutCache(ids)];
      let maxDiff = 0;
      for (let i = 0; i < la.length; i++) maxDiff = Math.max(maxDiff, Math.abs(la[i] - lb[i]));
      say(`last-position logits, CUDA vs CPU: max |difference| ${maxDiff.toExponential(2)}`);
      say(`CUDA tokens: ${JSON.stringify(a.tokenIds)}`);
      say(`CPU  tokens: ${JSON.stringify(b.tokenIds)}`);
      const same = a.tokenIds.length === b.tokenIds.length && a.tokenIds.every((t, i) => t === b.tokenIds[i]);
      if (!same) {
        const at = a.tokenIds.findIndex((t, i) => t !== b.tokenIds[i]);
        say(`FAILED: the greedy tokens differ from token ${at < 0 ? Math.min(a.tokenIds.length, b.tokenIds.length) : at} on`);
        return 1;
      }
      say(`greedy tokens identical (${a.tokenIds.length} of ${TOKENS}${a.tokenIds.length < TOKENS ? ', the model ended early on both' : ''})`);
      say(`PASSED in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      return 0;
    } finally {
      await cpu.release();
    }
  } finally {
    await cuda.release();
  }
}

async function decode(engine: InferenceEngine): Promise<{ tokenIds: readonly number[]; decodeMs: number; prefillMs: number; promptTokens: number }> {
  const options: CompletionOptions = {
    temperature: 0,
    topK: 0,
    topP: 1,
    repetitionPenalty: 1,
    maxNewTokens: TOKENS,
    contextTokens: 1024,
    timeoutMs: 600_000,
    newline: 'none',
    numReturnSequences: 1,
    seed: 1,
    cache: 'cold',
    lookAheadTokens: 0,
  };
  const snapshot = createSnapshot({ prefix: PROMPT, suffix: '', languageId: 'python', path: 'cuda-check.py', version: 1 });
  const result = await engine.complete(snapshot, options);
  const c = result.completions[0];
  return { tokenIds: c?.tokenIds ?? [], decodeMs: result.timings.decodeMs, prefillMs: result.timings.prefillMs, promptTokens: result.promptTokenIds.length };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
