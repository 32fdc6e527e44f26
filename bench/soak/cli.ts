// `npm run soak`: builds, then runs the soak (bench/soak/soak.ts) once, prints its figures and
// writes them as JSON. Exits 1 when a request was lost or a fault did not go as it must.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ensureModel, findRepoRoot } from '../../scripts/model/generate';
import { stageBundles } from '../staging';
import { soakConfig } from './config';
import { hasQuantized, linkedCopy, type ModelChoice } from './faults';
import { runSoak, type SoakResult } from './soak';
import { soakFiles } from './soakCorpus';

async function main(): Promise<number> {
  const cfg = soakConfig(process.argv.slice(2));
  const root = findRepoRoot();
  const work = join(root, '.cache', 'soak');
  mkdirSync(work, { recursive: true });
  const log = createWriteStream(join(work, 'soak.log'), { flags: 'w' });
  const say = (line: string) => process.stdout.write(`[soak] ${line}\n`);
  say(`seed ${cfg.seed} (--seed ${cfg.seed} replays it), ${cfg.requests} requests, ${cfg.faults} faults, model ${cfg.modelName}; log in ${relative(root, join(work, 'soak.log'))}`);
  const modelDir = await ensureModel(cfg.modelName, cfg.model);
  // The swaps go between two folders: the generated one read as fp32 and a folder of links to it read as int8.
  const models: [ModelChoice, ModelChoice] = [
    { dir: modelDir, modelFile: 'fp32' },
    { dir: linkedCopy(modelDir, join(work, 'models', `${cfg.modelName}-b`)), modelFile: hasQuantized(modelDir) ? 'quantized' : 'fp32' },
  ];
  const { files, missing } = soakFiles(root);
  say(`typing over ${files.map((f) => `${f.path} (${f.languageId}, ${Math.round(f.text.length / 1024)} KB)`).join(', ')}${missing.length ? `; none found for ${missing.join(', ')}` : ''}`);
  const staged = stageBundles(root);
  let result: SoakResult;
  try {
    result = await runSoak({
      inferenceScript: join(staged.dir, 'dist', 'inference.js'),
      models,
      workDir: work,
      files,
      requests: cfg.requests,
      faults: cfg.faults,
      seed: cfg.seed,
      pace: cfg.pace,
      idleMinuteMs: cfg.idleMinuteMs,
      hangMs: cfg.hangMs,
      recoverMs: cfg.recoverMs,
      ...(cfg.settings ? { settings: cfg.settings } : {}),
      logLine: (line) => log.write(`${new Date().toISOString()} ${line}\n`),
      progress: say,
    });
  } finally {
    staged.cleanup();
    await new Promise((resolve) => log.end(resolve));
  }
  for (const line of summary(result)) say(line);
  const out = join(root, cfg.output);
  mkdirSync(dirname(out), { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString() };
  writeFileSync(out, JSON.stringify({ mode: cfg.mode, model: { name: cfg.modelName, ...cfg.model, swaps: models.map((m) => ({ folder: relative(root, m.dir), modelFile: m.modelFile })) }, files: files.map((f) => f.path), machine, ...result }, null, 2) + '\n');
  say(`wrote ${relative(root, out)}`);
  return result.ok ? 0 : 1;
}

export function summary(r: SoakResult): string[] {
  const q = r.requests;
  return [
    `seed ${r.seed}: ${q.issued} requests in ${(r.durationMs / 1000).toFixed(1)} s: ${q.served} served (${q.servedWithItems} with items, ${q.typedAhead} typed ahead), ${q.cancelled} cancelled, ${q.failed} failed in fault windows, ${q.lost} lost (${q.hung} hung)`,
    `faults: ${r.faults.map((f) => `${f.kind}${f.corruption ? `(${f.corruption})` : ''}${f.phase ? `[${f.phase}]` : ''}@${f.injectedAt ?? '-'}${f.recoveredMs !== undefined && f.startedMs !== undefined ? ` ${Math.round(f.recoveredMs - f.startedMs)} ms` : ''}`).join(', ')}`,
    `restarts of the inference process: ${r.restarts} (${r.crashes} crashes)`,
    `max RSS: inference process ${r.memory.inferenceMaxRssMb} MB (largest of ${r.memory.inferenceProcesses}), extension side ${r.memory.extensionMaxRssMb} MB`,
    `max event-loop stall (extension side): ${r.eventLoopMaxStallMs} ms (p99 ${r.eventLoopP99Ms} ms)`,
    ...Object.entries(r.failedReasons).map(([why, n]) => `failed: ${n} × ${why}`),
    ...r.faults.filter((f) => f.kind === 'corrupt').map((f) => `corrupt ${f.corruption} reported: ${f.reported ?? '(nothing)'}`),
    ...r.lost.slice(0, 20).map((l) => `LOST ${l}`),
    r.ok ? 'zero lost requests: every request served, cancelled, or failed inside a fault window' : `FAILED: ${r.problems.join('; ')}`,
  ];
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`[soak] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    },
  );
}
