// The soak's machinery (bench/soak, `npm run soak`) in a small run: the tiny model, 60 requests
// at a fast pace, one fault of each kind (SIGKILL mid-prefill and mid-decode, a swap to int8 in a
// second folder, a corrupt model while another serves, an idle unload). Every request must end
// accounted for and every fault must be injected and recovered from; the seed and figures print.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK } from '../../bench/soak/config';
import { FAULT_KINDS, faultSchedule, linkedCopy } from '../../bench/soak/faults';
import { runSoak } from '../../bench/soak/soak';
import { soakFiles } from '../../bench/soak/soakCorpus';
import { seededRng } from '../../src/inference/rng';
import { repoRoot, tinyModel } from './helpers';

describe('soak (npm run soak) in a small run', function () {
  this.timeout(120_000);

  it('plans every fault kind once before any twice, and never three kills without a load between', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const plan = faultSchedule(1000, 17, seededRng(seed));
      assert.deepEqual(new Set(plan.slice(0, 5).map((f) => f.kind)), new Set(FAULT_KINDS), `seed ${seed}`);
      let kills = 0;
      for (const f of plan) {
        kills = f.kind === 'swap' || f.kind === 'corrupt' ? 0 : f.kind.startsWith('kill') ? kills + 1 : kills;
        assert.ok(kills <= 2, `seed ${seed}: ${plan.map((p) => p.kind).join(' ')}`);
      }
      assert.ok(plan.every((f, i) => i === 0 || f.atRequest >= plan[i - 1].atRequest), 'in request order');
      assert.ok(plan.every((f) => f.corruption !== undefined || f.kind !== 'corrupt'));
    }
  });

  it('60 requests with one fault of each kind: none lost, every fault recovered from', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ghostwriter-soak-'));
    const lines: string[] = [];
    try {
      const dir = await tinyModel();
      const seed = 0x50a4;
      const result = await runSoak({
        inferenceScript: join(repoRoot(), 'dist', 'inference.js'),
        models: [
          { dir, modelFile: 'fp32' },
          { dir: linkedCopy(dir, join(work, 'tiny-b')), modelFile: 'quantized' },
        ],
        workDir: work,
        files: soakFiles(repoRoot()).files,
        requests: 60,
        faults: FAULT_KINDS.length,
        seed,
        pace: QUICK.pace,
        idleMinuteMs: 200,
        hangMs: 20_000,
        recoverMs: 20_000,
        settings: QUICK.settings ?? {},
        logLine: (line) => lines.push(line),
      });
      const q = result.requests;
      process.stdout.write(`      soak, seed ${seed}: ${JSON.stringify({ ...q, restarts: result.restarts, faults: result.faults.map((f) => `${f.kind}${f.phase ? `[${f.phase}]` : ''}`), failedReasons: result.failedReasons, memory: result.memory, eventLoopMaxStallMs: result.eventLoopMaxStallMs })}\n`);
      assert.deepEqual(result.problems, [], lines.filter((l) => !l.startsWith('debug')).slice(-30).join('\n'));
      assert.ok(result.ok);
      assert.equal(q.lost, 0);
      assert.equal(q.served + q.cancelled + q.failed, q.issued);
      assert.ok(q.issued >= 60 && q.served > 0, JSON.stringify(q));
      assert.deepEqual(new Set(result.faults.map((f) => f.kind)), new Set(FAULT_KINDS));
      for (const f of result.faults) assert.ok(f.recoveredMs !== undefined && f.startedMs !== undefined && f.recoveredMs >= f.startedMs, JSON.stringify(f));
      // Two kills and an idle unload: three fresh processes after the first, each loading the model again.
      assert.equal(result.crashes, 2);
      assert.equal(result.restarts, 3);
      // The corrupt model's error is reported by its code and the serving model named.
      const corrupt = result.faults.find((f) => f.kind === 'corrupt')!;
      assert.match(corrupt.reported ?? '', /^model-invalid: |^[a-z-]+: /);
      assert.ok(result.memory.inferenceMaxRssMb > 0 && result.memory.extensionMaxRssMb > 0);
      assert.ok(lines.some((l) => /was killed by SIGKILL/.test(l)), 'the log says why the process went');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
