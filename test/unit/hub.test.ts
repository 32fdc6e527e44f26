import { strict as assert } from 'node:assert';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelFile } from '../../src/core/config';
import { GhostwriterError } from '../../src/core/errors';
import { safeJoin } from '../../src/core/hub/cache';
import { selectFiles, type HubFile } from '../../src/core/hub/files';
import {
  describeSnapshotDir,
  hubCacheRoot,
  parseModelSource,
  resolveModel,
  type DownloadProgress,
  type ResolveModelOptions,
  type ResolvedModel,
} from '../../src/core/hub/index';
import { resolveModelFolder } from '../../src/inference/model';
import { tinyModel } from './helpers';
import { commitFor, HubStandIn, sha256 } from './hubStandIn';

const REPO = 'Xenova/gpt2';
const COMMIT = commitFor(REPO);
const QUANTIZED = 'onnx/model_quantized.onnx';

async function rejection(promise: Promise<unknown>): Promise<GhostwriterError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GhostwriterError, `a GhostwriterError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

function hub(r: ResolvedModel) {
  assert.equal(r.kind, 'hub');
  return r as Extract<ResolvedModel, { kind: 'hub' }>;
}

/** Every file and link under a folder, relative. */
function tree(dir: string, prefix = ''): string[] {
  if (!existsSync(join(dir, prefix))) return [];
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = lstatSync(join(dir, rel));
    if (st.isDirectory()) out.push(...tree(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

describe('model sources: a folder or a hub repo id', () => {
  const noDirs = { isDirectory: () => false };
  it('hub ids with and without a revision', () => {
    assert.deepEqual(parseModelSource('Xenova/gpt2', noDirs), { kind: 'hub', repoId: 'Xenova/gpt2', revision: 'main' });
    assert.deepEqual(parseModelSource('Xenova/distilgpt2@main', noDirs), { kind: 'hub', repoId: 'Xenova/distilgpt2', revision: 'main' });
    const sha = 'a'.repeat(40);
    assert.deepEqual(parseModelSource(`owner/name.v2@${sha}`, noDirs), { kind: 'hub', repoId: 'owner/name.v2', revision: sha });
    assert.deepEqual(parseModelSource('Xenova/gpt2', { ...noDirs, revision: 'v1.0' }), { kind: 'hub', repoId: 'Xenova/gpt2', revision: 'v1.0' });
    assert.deepEqual(parseModelSource('Xenova/gpt2@refs/pr/1', noDirs), { kind: 'hub', repoId: 'Xenova/gpt2', revision: 'refs/pr/1' });
  });

  it('paths and existing folders are folders', () => {
    assert.deepEqual(parseModelSource('/models/gpt2', noDirs), { kind: 'folder', path: '/models/gpt2' });
    assert.deepEqual(parseModelSource('./gpt2', noDirs), { kind: 'folder', path: './gpt2' });
    assert.deepEqual(parseModelSource('C:\\models\\gpt2', noDirs), { kind: 'folder', path: 'C:\\models\\gpt2' });
    assert.deepEqual(parseModelSource('Xenova/gpt2', { isDirectory: () => true }), { kind: 'folder', path: 'Xenova/gpt2' });
  });

  for (const [text, pattern] of [
    ['gpt2', /not a model folder or a hub repo id.*owner\/name/],
    ['a/b/c', /not a model folder or a hub repo id/],
    ['Xenova/gp t2', /not a valid hub repo id/],
    ['Xenova/gpt2@', /not a valid revision/],
    ['Xenova/gpt2@../../etc', /not a valid revision/],
    ['Xenova--x/gpt2', /no "--"/],
    ['Xenova/gpt2.git', /\.git/],
    ['', /No model given/],
  ] as const) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseModelSource(text, noDirs), (err: unknown) => err instanceof GhostwriterError && err.code === 'model-source-invalid' && pattern.test(err.message));
    });
  }

  it('a revision given twice must agree; a folder takes none', () => {
    assert.throws(() => parseModelSource('Xenova/gpt2@main', { ...noDirs, revision: 'v2' }), /give one/);
    assert.throws(() => parseModelSource('/models/gpt2', { ...noDirs, revision: 'main' }), /applies to hub repo ids/);
  });
});

describe('the Hugging Face cache layout', () => {
  it('root: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub', () => {
    assert.equal(hubCacheRoot({ HF_HUB_CACHE: '/c', HF_HOME: '/h' }), '/c');
    assert.equal(hubCacheRoot({ HF_HOME: '/h' }), '/h/hub');
    assert.equal(hubCacheRoot({ XDG_CACHE_HOME: '/x' }), '/x/huggingface/hub');
    assert.match(hubCacheRoot({}), /\.cache[\\/]huggingface[\\/]hub$/);
  });

  it('names from a listing that could land outside the snapshot are refused', () => {
    for (const name of ['../../x', '/etc/passwd', 'onnx\\..\\..\\x', 'onnx/../../x', 'C:x', 'a//b', './a', '', 'a\0b']) {
      assert.throws(() => safeJoin('/cache/snap', name), (e: unknown) => e instanceof GhostwriterError && e.code === 'hub-invalid', name);
    }
    assert.equal(safeJoin('/cache/snap', 'onnx/model.onnx'), join('/cache/snap', 'onnx', 'model.onnx'));
    assert.equal(safeJoin('/cache/snap', '..data'), join('/cache/snap', '..data'));
  });

  it('a snapshot folder names its repo id and commit', () => {
    assert.deepEqual(describeSnapshotDir(`/c/models--Xenova--gpt2/snapshots/${COMMIT}`), { repoId: 'Xenova/gpt2', commit: COMMIT });
    assert.equal(describeSnapshotDir('/models/gpt2'), undefined);
  });
});

describe('the ONNX file a variant downloads is the one the loader then picks', () => {
  const listings = [
    ['model.onnx', 'model_quantized.onnx', 'model_fp16.onnx'],
    ['model.onnx'],
    ['decoder_model_merged.onnx', 'decoder_model_merged_quantized.onnx'],
    ['model_quantized.onnx'],
    ['model_fp16.onnx', 'model_int8.onnx'],
  ];
  const configDir = mkdtempSync(join(tmpdir(), 'ghostwriter-variants-'));
  after(() => rmSync(configDir, { recursive: true, force: true }));
  let n = 0;
  for (const names of listings) {
    for (const modelFile of ['auto', 'fp32', 'fp16', 'quantized'] as ModelFile[]) {
      for (const onCpu of [true, false]) {
        it(`${names.join(' + ')}, ${modelFile}${onCpu ? ' on the CPU' : ''}`, async () => {
          const listing: HubFile[] = ['config.json', 'tokenizer.json', 'tokenizer_config.json', ...names.map((x) => `onnx/${x}`)].map((path) => ({ path, size: 1, oid: 'a'.repeat(40) }));
          let picked: string | undefined;
          try {
            picked = selectFiles(listing, modelFile, onCpu, 'repo').onnxFile;
          } catch {
            picked = undefined;
          }
          const dir = join(configDir, String(n++));
          mkdirSync(join(dir, 'onnx'), { recursive: true });
          writeFileSync(join(dir, 'config.json'), JSON.stringify({ n_layer: 1, n_head: 1, n_embd: 4, n_positions: 8, vocab_size: 10 }));
          for (const x of names) writeFileSync(join(dir, 'onnx', x), '');
          const loaded = await resolveModelFolder(dir, modelFile, onCpu).then((f) => f.onnxPath.slice(dir.length + 1).replace(/\\/g, '/'), () => undefined);
          assert.equal(picked, loaded);
        });
      }
    }
  }
});

describe('downloads from a hub stand-in into the Hugging Face cache', function () {
  this.timeout(120_000);
  let standIn: HubStandIn;
  let cacheRoot: string;
  const base = (): Omit<ResolveModelOptions, 'source'> => ({ endpoint: standIn.url, cacheRoot, modelFile: 'auto', onCpu: true });
  const repoDir = () => join(cacheRoot, 'models--Xenova--gpt2');
  const snapshot = () => join(repoDir(), 'snapshots', COMMIT);

  before(async () => {
    const dir = await tinyModel();
    standIn = await new HubStandIn({
      [REPO]: { dir },
      'owner/gated': { dir, gated: true },
    }).start();
  });
  after(async () => standIn?.close());
  beforeEach(() => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'ghostwriter-hub-'));
    standIn.requests.length = 0;
    standIn.corrupt.clear();
    standIn.cuts.clear();
    standIn.treeOverride = undefined;
    standIn.infoOverride = undefined;
  });
  afterEach(() => rmSync(cacheRoot, { recursive: true, force: true }));

  it('first download: only the variant\'s files, laid out as huggingface_hub lays them out; a second resolve makes no request', async () => {
    const events: DownloadProgress[] = [];
    const first = hub(await resolveModel({ ...base(), source: REPO, onProgress: (p) => events.push(p) }));
    assert.equal(first.dir, snapshot());
    assert.equal(first.commit, COMMIT);
    assert.equal(first.onnxFile, QUANTIZED);
    assert.equal(first.fromCache, false);
    const wanted = ['config.json', 'generation_config.json', QUANTIZED, 'tokenizer.json', 'tokenizer_config.json'];
    assert.deepEqual(first.files.map((f) => f.path).sort(), wanted);

    // refs/main holds the commit; snapshots/<commit>/<path> are relative symlinks to blobs/<etag>.
    assert.equal(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8'), COMMIT);
    assert.deepEqual(tree(snapshot()), wanted);
    const blobs: string[] = [];
    for (const path of wanted) {
      const served = standIn.file(REPO, path);
      const blob = served.sha256 ?? served.oid; // the LFS sha256 for LFS files, the git blob id for the others
      blobs.push(blob);
      const link = readlinkSync(join(snapshot(), path));
      assert.equal(link, `${path.includes('/') ? '../../../' : '../../'}blobs/${blob}`, path);
      assert.deepEqual(readFileSync(join(snapshot(), path)), served.bytes, path);
    }
    assert.equal(standIn.file(REPO, QUANTIZED).sha256?.length, 64);
    assert.deepEqual(tree(join(repoDir(), 'blobs')), blobs.sort());
    assert.ok(!tree(repoDir()).some((p) => p.endsWith('.incomplete')));

    // Progress: per file and overall, ending at the total.
    const last = events.at(-1)!;
    assert.equal(last.bytes, last.total);
    assert.equal(last.total, wanted.reduce((s, p) => s + standIn.file(REPO, p).bytes.length, 0));
    for (let i = 1; i < events.length; i++) assert.ok(events[i].bytes >= events[i - 1].bytes);
    assert.ok(events.some((e) => e.file === QUANTIZED && e.fileBytes === e.fileTotal));

    // The LFS file came through the 302 to the CDN; the listing was paged.
    assert.ok(standIn.requests.some((r) => r.server === 'cdn'));
    assert.ok(standIn.requests.filter((r) => r.url.includes('/tree/')).length > 1);

    // The loader picks the downloaded file in the snapshot.
    assert.equal((await resolveModelFolder(first.dir, 'auto', true)).onnxPath, join(snapshot(), QUANTIZED));

    standIn.requests.length = 0;
    const second = hub(await resolveModel({ ...base(), source: REPO }));
    assert.equal(standIn.requests.length, 0, JSON.stringify(standIn.requests));
    assert.equal(second.fromCache, true);
    assert.equal(second.dir, first.dir);
    assert.deepEqual(second.files.map((f) => f.path).sort(), wanted);
  });

  it('another variant downloads only its ONNX file and shares the other blobs', async () => {
    await resolveModel({ ...base(), source: REPO });
    standIn.requests.length = 0;
    const fp32 = hub(await resolveModel({ ...base(), source: REPO, modelFile: 'fp32' }));
    assert.equal(fp32.onnxFile, 'onnx/model.onnx');
    const resolves = standIn.requests.filter((r) => r.url.includes('/resolve/'));
    assert.deepEqual(resolves.map((r) => r.url), [`/${REPO}/resolve/${COMMIT}/onnx/model.onnx`]);
    // 'auto' off the CPU prefers fp32; the cache now knows that is there.
    standIn.requests.length = 0;
    assert.equal(hub(await resolveModel({ ...base(), source: REPO, onCpu: false })).onnxFile, 'onnx/model.onnx');
    assert.equal(standIn.requests.length, 0);
  });

  it('a token goes to the hub, never to the CDN it redirects to; a gated repo without one says to set one', async () => {
    const err = await rejection(resolveModel({ ...base(), source: 'owner/gated' }));
    assert.equal(err.code, 'hub-unauthorized');
    assert.match(err.message, /gated/);
    assert.match(err.message, /token/);
    standIn.requests.length = 0;
    const token = 'hf_secret_token_value';
    hub(await resolveModel({ ...base(), source: 'owner/gated', token }));
    assert.ok(standIn.requests.filter((r) => r.server === 'hub').every((r) => r.authorization));
    assert.ok(standIn.requests.filter((r) => r.server === 'cdn').length > 0);
    assert.ok(standIn.requests.filter((r) => r.server === 'cdn').every((r) => !r.authorization));
  });

  it('a connection cut mid-file leaves no file in the snapshot; the next attempt resumes with a Range request', async () => {
    const size = standIn.file(REPO, QUANTIZED).bytes.length;
    standIn.cuts.set(QUANTIZED, { at: 4 << 20, times: 1 });
    const err = await rejection(resolveModel({ ...base(), source: REPO, retries: 0 }));
    assert.equal(err.code, 'hub-unreachable');
    assert.match(err.message, /onnx\/model_quantized\.onnx .*broke off at \d+ of \d+ bytes/);
    assert.match(err.message, /resumes/);
    const sha = standIn.file(REPO, QUANTIZED).sha256!;
    assert.ok(!existsSync(join(snapshot(), QUANTIZED)));
    assert.ok(!existsSync(join(repoDir(), 'blobs', sha)));
    assert.ok(!existsSync(join(repoDir(), 'refs', 'main')));
    const partial = statSync(join(repoDir(), 'blobs', `${sha}.incomplete`)).size;
    assert.ok(partial > 0 && partial < size, `partial ${partial}`);

    standIn.requests.length = 0;
    const r = hub(await resolveModel({ ...base(), source: REPO }));
    const ranged = standIn.requests.filter((q) => q.range);
    // The Range goes to resolve/ and, through its redirect, to the CDN.
    assert.deepEqual(ranged.map((q) => [q.server, q.range]), [['hub', `bytes=${partial}-`], ['cdn', `bytes=${partial}-`]]);
    assert.equal(r.downloadedBytes, size - partial);
    assert.deepEqual(readFileSync(join(snapshot(), QUANTIZED)), standIn.file(REPO, QUANTIZED).bytes);
    assert.ok(!existsSync(join(repoDir(), 'blobs', `${sha}.incomplete`)));
  });

  it('within one call, a broken connection is resumed by itself', async () => {
    standIn.cuts.set(QUANTIZED, { at: 3 << 20, times: 1 });
    const r = hub(await resolveModel({ ...base(), source: REPO }));
    assert.equal(standIn.requests.filter((q) => q.range && q.server === 'cdn').length, 1);
    assert.deepEqual(readFileSync(join(r.dir, QUANTIZED)), standIn.file(REPO, QUANTIZED).bytes);
  });

  it('cancelling leaves no half file in the snapshot; the next attempt resumes', async () => {
    const controller = new AbortController();
    const err = await rejection(
      resolveModel({ ...base(), source: REPO, signal: controller.signal, onProgress: (p) => p.file === QUANTIZED && p.fileBytes > 2 << 20 && controller.abort() }),
    );
    assert.equal(err.code, 'cancelled');
    assert.ok(!existsSync(join(snapshot(), QUANTIZED)));
    const sha = standIn.file(REPO, QUANTIZED).sha256!;
    const partial = statSync(join(repoDir(), 'blobs', `${sha}.incomplete`)).size;
    assert.ok(partial > 0);
    standIn.requests.length = 0;
    await resolveModel({ ...base(), source: REPO });
    assert.deepEqual(standIn.requests.filter((q) => q.range && q.server === 'cdn').map((q) => q.range), [`bytes=${partial}-`]);
    assert.deepEqual(readFileSync(join(snapshot(), QUANTIZED)), standIn.file(REPO, QUANTIZED).bytes);
  });

  it('corrupted bytes are rejected naming the file and both checksums, and deleted', async () => {
    standIn.corrupt.add(QUANTIZED);
    const err = await rejection(resolveModel({ ...base(), source: REPO }));
    assert.equal(err.code, 'download-corrupt');
    const expected = standIn.file(REPO, QUANTIZED).sha256!;
    const actual = sha256(standIn.corrupted(REPO, QUANTIZED));
    assert.ok(err.message.includes(QUANTIZED), err.message);
    assert.ok(err.message.includes(`sha256 is ${actual}`), err.message);
    assert.ok(err.message.includes(`lists ${expected}`), err.message);
    assert.ok(!existsSync(join(snapshot(), QUANTIZED)));
    assert.ok(!tree(join(repoDir(), 'blobs')).some((p) => p.startsWith(expected)));
    // A small (non-LFS) file is checked against its git blob id.
    standIn.corrupt.clear();
    standIn.corrupt.add('tokenizer.json');
    rmSync(repoDir(), { recursive: true, force: true });
    const err2 = await rejection(resolveModel({ ...base(), source: REPO }));
    assert.equal(err2.code, 'download-corrupt');
    assert.match(err2.message, /tokenizer\.json .*git blob id/);
  });

  it('an unknown repo, revision or file is named as not found', async () => {
    const repo = await rejection(resolveModel({ ...base(), source: 'Xenova/no-such-model' }));
    assert.equal(repo.code, 'hub-not-found');
    assert.match(repo.message, /Repository Xenova\/no-such-model was not found on http:\/\/127\.0\.0\.1:\d+/);
    const token = 'hf_never_in_a_message';
    const withToken = await rejection(resolveModel({ ...base(), source: 'Xenova/no-such-model', token }));
    assert.match(withToken.message, /Repository Xenova\/no-such-model was not found/);
    assert.ok(!JSON.stringify(withToken.toData()).includes(token));
    const rev = await rejection(resolveModel({ ...base(), source: `${REPO}@v9` }));
    assert.equal(rev.code, 'hub-not-found');
    assert.match(rev.message, /Revision v9 of Xenova\/gpt2 was not found/);
    const fp16 = await rejection(resolveModel({ ...base(), source: REPO, modelFile: 'fp16' }));
    assert.equal(fp16.code, 'hub-not-found');
    assert.match(fp16.message, /no fp16 ONNX file: looked for onnx\/model_fp16\.onnx.*it has onnx\/model\.onnx, onnx\/model_quantized\.onnx/);
    assert.deepEqual(tree(cacheRoot), []);
  });

  it('an unreachable endpoint says so, naming it and what to do', async () => {
    const port = await closedPort();
    const err = await rejection(resolveModel({ ...base(), source: REPO, endpoint: `http://127.0.0.1:${port}` }));
    assert.equal(err.code, 'hub-unreachable');
    assert.match(err.message, new RegExp(`Cannot reach the Hugging Face hub at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
    assert.match(err.message, /HF_ENDPOINT/);
    assert.match(err.message, /local model folder/);
  });

  it('unreachable or offline, a cached snapshot that loads is used, saying so', async () => {
    await resolveModel({ ...base(), source: REPO, modelFile: 'quantized' });
    // 'auto' off the CPU would prefer model.onnx, which the cache does not know about.
    const port = await closedPort();
    const r = hub(await resolveModel({ ...base(), source: REPO, onCpu: false, endpoint: `http://127.0.0.1:${port}` }));
    assert.equal(r.onnxFile, QUANTIZED);
    assert.match(r.note ?? '', /Cannot reach/);
    const offline = hub(await resolveModel({ ...base(), source: REPO, onCpu: false, offline: true }));
    assert.equal(offline.onnxFile, QUANTIZED);
    const missing = await rejection(resolveModel({ ...base(), source: 'Xenova/other', offline: true }));
    assert.match(missing.message, /not in the Hugging Face cache .*offline mode/);
  });

  for (const name of ['../../evil.txt', '/tmp/ghostwriter-evil.txt', 'onnx\\..\\..\\evil.txt', 'onnx/../../../evil.txt']) {
    it(`a listed file named ${JSON.stringify(name)} is refused and nothing is written`, async () => {
      standIn.treeOverride = (_id, entries) => [...entries, { type: 'file', oid: 'b'.repeat(40), size: 5, path: name }];
      const err = await rejection(resolveModel({ ...base(), source: REPO }));
      assert.equal(err.code, 'hub-invalid');
      assert.ok(err.message.includes(JSON.stringify(name)), err.message);
      assert.deepEqual(tree(cacheRoot), []);
      assert.ok(!existsSync(join(cacheRoot, '..', 'evil.txt')));
      assert.ok(!existsSync('/tmp/ghostwriter-evil.txt'));
    });
  }

  it('an LFS hash or a commit that is not a hash is refused before anything is written', async () => {
    standIn.treeOverride = (_id, entries) => entries.map((e) => (e.path === QUANTIZED ? { ...e, lfs: { ...e.lfs!, oid: '../../../evil' } } : e));
    const err = await rejection(resolveModel({ ...base(), source: REPO }));
    assert.equal(err.code, 'hub-invalid');
    assert.match(err.message, /not a sha256/);
    standIn.treeOverride = undefined;
    standIn.infoOverride = (_id, info) => ({ ...info, sha: '../../evil' });
    const err2 = await rejection(resolveModel({ ...base(), source: REPO }));
    assert.equal(err2.code, 'hub-invalid');
    assert.deepEqual(tree(cacheRoot), []);
  });

  it('a disk without room for the download is refused, naming the cache folder and the bytes needed', async () => {
    const err = await rejection(resolveModel({ ...base(), source: REPO, freeBytes: async () => 1000 }));
    assert.equal(err.code, 'disk-full');
    assert.ok(err.message.includes(cacheRoot), err.message);
    assert.match(err.message, /needs \d+(\.\d)? MB and 1000 B are free/);
    assert.match(err.message, /HF_HUB_CACHE/);
  });

  it('files another tool put in the cache are reused: no request at all', async () => {
    // As huggingface_hub leaves it: refs/main, a snapshot of symlinks, and .no_exist for nothing.
    await resolveModel({ ...base(), source: REPO, modelFile: 'quantized' });
    rmSync(join(repoDir(), '.no_exist'), { recursive: true, force: true });
    standIn.requests.length = 0;
    const r = hub(await resolveModel({ ...base(), source: REPO, modelFile: 'quantized' }));
    assert.equal(r.fromCache, true);
    assert.equal(standIn.requests.length, 0);
  });
});

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
