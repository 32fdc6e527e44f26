import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers';

/** Whether this machine has an NVIDIA GPU (then the check really runs, which is not for the unit tests). */
function hasNvidiaGpu(): boolean {
  try {
    return /^GPU \d+:/m.test(execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return false;
  }
}

describe('scripts/cuda-check.sh on a machine without an NVIDIA GPU', function () {
  this.timeout(60_000);
  before(function () {
    if (process.platform === 'linux' && process.arch === 'x64' && hasNvidiaGpu()) this.skip();
  });

  for (const [what, cmd, args] of [
    ['the shell script', 'bash', [join(repoRoot(), 'scripts', 'cuda-check.sh')]],
    ['the program it runs', process.execPath, [join(repoRoot(), 'out', 'scripts', 'cuda-check.js')]],
  ] as const) {
    it(`${what} exits 0 with a clear message, and builds, installs and loads nothing`, () => {
      const r = spawnSync(cmd, args, { cwd: repoRoot(), encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /^cuda-check: SKIPPED: (no NVIDIA GPU on this machine \(.+\)|the CUDA check runs on Linux x64 only .*); nothing to check here\./m);
      assert.equal(r.stderr, '', 'no stack trace, no ONNX Runtime lines');
      assert.doesNotMatch(r.stdout, /installing|loaded|FAILED/);
    });
  }
});
