// `node dist/cli.js complete --model Xenova/gpt2 …` against the hub stand-in serving the generated tiny
// model under that id: the real download path, only the endpoint differs.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, tinyModel } from './helpers';
import { commitFor, HubStandIn, sha256 } from './hubStandIn';

const REPO = 'Xenova/gpt2';
const QUANTIZED = 'onnx/model_quantized.onnx';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(repoRoot(), 'dist/cli.js'), 'complete', ...args], { env, encoding: 'utf8', maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
    else child.stdin!.end();
  });
}

describe('the CLI takes hub repo ids and prompt files', function () {
  this.timeout(120_000);
  let standIn: HubStandIn;
  let cacheRoot: string;
  let env: NodeJS.ProcessEnv;
  const args = (model = REPO) => ['--model', model, '--hub-endpoint', standIn.url, '--prompt', 'def fibonacci(n):', '--temperature', '0', '--max-new-tokens', '4', '--json'];

  before(async () => {
    standIn = await new HubStandIn({ [REPO]: { dir: await tinyModel() } }).start();
  });
  after(async () => standIn?.close());
  beforeEach(() => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'ghostwriter-cli-hub-'));
    const { HF_ENDPOINT: _e, HF_TOKEN: _t, HF_HOME: _h, HF_HUB_OFFLINE: _o, ...rest } = process.env;
    env = { ...rest, HF_HUB_CACHE: cacheRoot };
    standIn.requests.length = 0;
    standIn.corrupt.clear();
  });
  afterEach(() => rmSync(cacheRoot, { recursive: true, force: true }));

  it('downloads, decodes, and a second run makes no request; the same tokens as the folder itself, prompt from stdin', async () => {
    const first = await cli(args(), env);
    assert.equal(first.code, 0, first.stderr);
    const out = JSON.parse(first.stdout) as { completions: { text: string; tokenIds: number[] }[]; promptTokenIds: number[] };
    assert.equal(out.completions.length, 1);
    assert.equal(out.completions[0].tokenIds.length, 4);
    assert.match(first.stderr, /downloading onnx\/model_quantized\.onnx/);
    assert.ok(standIn.requests.length > 0);
    const snapshot = join(cacheRoot, 'models--Xenova--gpt2', 'snapshots', commitFor(REPO));
    assert.ok(existsSync(join(snapshot, QUANTIZED)));
    assert.ok(!existsSync(join(snapshot, 'onnx', 'model.onnx')), 'only the variant auto picks on the CPU');

    standIn.requests.length = 0;
    const second = await cli(args(), env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(standIn.requests.length, 0, JSON.stringify(standIn.requests));
    assert.doesNotMatch(second.stderr, /downloading/);
    const again = JSON.parse(second.stdout) as typeof out;
    assert.deepEqual([again.completions, again.promptTokenIds], [out.completions, out.promptTokenIds]);

    const fromStdin = await cli(['--model', await tinyModel(), '--prompt-file', '-', '--temperature', '0', '--max-new-tokens', '4', '--json'], env, 'def fibonacci(n):');
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const folder = JSON.parse(fromStdin.stdout) as typeof out;
    assert.deepEqual(folder.promptTokenIds, out.promptTokenIds);
    assert.deepEqual(folder.completions, out.completions);
  });

  it('corrupted bytes are rejected naming the checksum', async () => {
    standIn.corrupt.add(QUANTIZED);
    const run = await cli(args(), env);
    assert.equal(run.code, 1);
    const expected = standIn.file(REPO, QUANTIZED).sha256!;
    const actual = sha256(standIn.corrupted(REPO, QUANTIZED));
    assert.match(run.stderr, new RegExp(`error: onnx/model_quantized\\.onnx from .* is corrupt: its sha256 is ${actual} but the hub lists ${expected}`));
    assert.equal(run.stdout, '');
  });

  it('an unknown repo id is named as not found', async () => {
    const run = await cli(args('Xenova/no-such-model'), env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /error: Repository Xenova\/no-such-model was not found on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('a malformed model id is a clear error', async () => {
    const run = await cli(args('gpt2'), env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /"gpt2" is not a model folder or a hub repo id/);
  });

  it('--prompt-file FILE reads the prompt from a file', async () => {
    const file = join(cacheRoot, 'prompt.py');
    writeFileSync(file, 'def fibonacci(n):');
    const run = await cli(['--model', await tinyModel(), '--prompt-file', file, '--temperature', '0', '--max-new-tokens', '2'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith('def fibonacci(n):'));
  });

  it('a 20 KB --prompt is refused, pointing to --prompt-file', async () => {
    const run = await cli(['--model', await tinyModel(), '--prompt', 'x = 1\n'.repeat(3500)], env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--prompt is 21000 bytes; a prompt over 16 KB must come from a file: --prompt-file FILE, or --prompt-file - /);
    const both = await cli(['--model', await tinyModel(), '--prompt', 'a', '--prompt-file', '-'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /one of --prompt or --prompt-file/);
  });
});
