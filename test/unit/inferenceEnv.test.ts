// The inference process gets only the environment it needs: no HF_TOKEN, no other secret, no NODE_OPTIONS.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkInference } from '../../src/core/engineClient';
import { inferenceEnv, passesToInference } from '../../src/core/inferenceEnv';

/** What a user's shell might hand the editor: secrets among the variables the inference process does need. */
const SECRETS = {
  HF_TOKEN: 'hf_secret',
  HUGGING_FACE_HUB_TOKEN: 'hf_secret2',
  GITHUB_TOKEN: 'ghp_secret',
  AWS_ACCESS_KEY_ID: 'AKIA',
  AWS_SECRET_ACCESS_KEY: 'aws_secret',
  OPENAI_API_KEY: 'sk-secret',
  NPM_TOKEN: 'npm_secret',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
  GIT_ASKPASS: '/usr/bin/askpass',
  VSCODE_GIT_IPC_HANDLE: '/tmp/vscode-git.sock',
  NODE_OPTIONS: '--require /tmp/evil.js',
  HF_ENDPOINT: 'https://mirror.example',
  // A credential hiding behind a passed prefix is dropped too.
  CUDA_LICENSE_TOKEN: 'secret',
  ORT_API_KEY: 'secret',
} as const;
const NEEDED = { PATH: '/usr/bin:/bin', HOME: '/home/me', LD_LIBRARY_PATH: '/usr/local/cuda/lib64', CUDA_VISIBLE_DEVICES: '0', XDG_CACHE_HOME: '/home/me/.cache', TMPDIR: '/tmp', OMP_NUM_THREADS: '2', LANG: 'C.UTF-8' };

describe('inference process environment', function () {
  this.timeout(30_000);

  it('keeps the variables ONNX Runtime and the process read, and drops every secret and NODE_OPTIONS', () => {
    assert.deepEqual(inferenceEnv({ ...SECRETS, ...NEEDED }), { ...NEEDED, ELECTRON_RUN_AS_NODE: '1', MALLOC_MMAP_THRESHOLD_: '131072' });
    for (const name of Object.keys(SECRETS)) assert.equal(passesToInference(name), false, name);
  });

  it('the forked process sees none of the secrets in the editor’s environment (it reports what it got)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ghostwriter-env-'));
    const probe = join(dir, 'probe.js');
    // Stands in for dist/inference.js: answers with its whole environment and exits.
    writeFileSync(probe, "process.send({ env: process.env, execArgv: process.execArgv, gc: typeof globalThis.gc }, () => process.exit(0));\n");
    const saved = { ...process.env };
    Object.assign(process.env, SECRETS);
    try {
      const child = forkInference(probe)();
      const { env, execArgv, gc } = await new Promise<{ env: Record<string, string>; execArgv: string[]; gc: string }>((resolve, reject) => {
        child.once('message', (m) => resolve(m as { env: Record<string, string>; execArgv: string[]; gc: string }));
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`probe exited (${code}) without reporting`)));
      });
      // Under `npm run test:unit` the test network guard (test/network/guard.ts) rides on every spawn
      // as NODE_OPTIONS with its log's name: those two, and nothing else, are the harness's own.
      const guard = process.env['GHOSTWRITER_NET_LOG'] ? /^--require "[^"]*\/test\/network\/guard\.js"$/ : undefined;
      if (guard && env['NODE_OPTIONS'] !== undefined) assert.match(env['NODE_OPTIONS'], guard, 'only the harness preload, not the editor\'s NODE_OPTIONS');
      else assert.equal(env['NODE_OPTIONS'], undefined, 'NODE_OPTIONS reached the inference process');
      for (const name of Object.keys(SECRETS).filter((n) => n !== 'NODE_OPTIONS')) assert.equal(env[name], undefined, `${name} reached the inference process`);
      // Node adds its IPC channel's variables; anything else must be on the list.
      const harness = guard ? ['NODE_OPTIONS', 'GHOSTWRITER_NET_LOG'] : [];
      const unexpected = Object.keys(env).filter((n) => !passesToInference(n) && !n.startsWith('NODE_CHANNEL_') && !harness.includes(n));
      assert.deepEqual(unexpected, []);
      assert.equal(env['PATH'], process.env['PATH'], 'PATH passes');
      assert.equal(env['HOME'], process.env['HOME'], 'HOME passes');
      assert.equal(env['ELECTRON_RUN_AS_NODE'], '1');
      // The memory account's settings (bench/memoryAccount.ts): glibc's mmap threshold pinned, a small young generation, gc exposed.
      assert.equal(env['MALLOC_MMAP_THRESHOLD_'], '131072');
      assert.ok(execArgv.includes('--max-semi-space-size=1'), execArgv.join(' '));
      assert.equal(gc, 'function', 'the process can collect the model file\'s bytes after preparing');
    } finally {
      for (const name of Object.keys(SECRETS)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
