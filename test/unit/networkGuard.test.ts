// The test network guard (test/network/guard.ts) itself: every way a Node process reaches the
// network is refused and recorded, loopback passes, children inherit it. The probe runs in a
// network namespace of its own (unshare -n, loopback only), so even a guard that failed could not
// send a packet off the machine.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetRecord } from '../network/guard';
import { isLoopback } from '../network/loopback';
import { readNetworkLog, summarize } from '../network/report';
import { repoRoot } from './helpers';

const PROBE = `
const net = require('net'), https = require('https'), http = require('http'), tls = require('tls'), dns = require('dns'), dgram = require('dgram'), cp = require('child_process');
const results = {};
const attempt = (name, f) => new Promise((res) => { let done = false; const cb = (e) => { if (done) return; done = true; results[name] = e ? (e.code || e.message) : 'connected'; res(); }; try { f(cb); } catch (e) { cb(e); } });
(async () => {
  const server = http.createServer((q, s) => s.end('hi'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  await attempt('fetch by name', (cb) => fetch('https://ghostwriter-guard.invalid/').then(() => cb(), (e) => cb(e.cause || e)));
  await attempt('fetch by address', (cb) => fetch('http://192.0.2.1/').then(() => cb(), (e) => cb(e.cause || e)));
  await attempt('https', (cb) => https.get('https://192.0.2.1/', () => cb()).on('error', cb));
  await attempt('http by name', (cb) => http.get('http://ghostwriter-guard.invalid/', () => cb()).on('error', cb));
  await attempt('net', (cb) => net.connect(80, '192.0.2.1', () => cb()).on('error', cb));
  await attempt('net options', (cb) => net.createConnection({ port: 80, host: '192.0.2.1' }, () => cb()).on('error', cb));
  await attempt('tls', (cb) => tls.connect(443, '192.0.2.1', () => cb()).on('error', cb));
  await attempt('dns', (cb) => dns.lookup('ghostwriter-guard.invalid', (e) => cb(e)));
  await attempt('dns promise', (cb) => dns.promises.lookup('ghostwriter-guard.invalid').then(() => cb(), cb));
  await attempt('udp', (cb) => { const s = dgram.createSocket('udp4'); s.send(Buffer.from('x'), 53, '192.0.2.1', (e) => { s.close(); cb(e); }); });
  await attempt('loopback http', (cb) => http.get('http://127.0.0.1:' + port + '/', (r) => { r.resume(); r.on('end', () => cb()); }).on('error', cb));
  await attempt('loopback fetch', (cb) => fetch('http://localhost:' + port + '/').then((r) => r.text()).then(() => cb(), (e) => cb(e.cause || e)));
  // A child forked with a filtered environment and no execArgv, as the inference process is.
  await attempt('forked child', (cb) => { const c = cp.fork(__dirname + '/child.js', [], { env: { PATH: process.env.PATH }, execArgv: [] }); c.on('message', (m) => { results['forked child connect'] = m; }); c.on('exit', () => cb()); });
  results['sync child connect'] = cp.execFileSync(process.execPath, [__dirname + '/child.js'], { env: {} }).toString().trim();
  server.close();
  console.log(JSON.stringify(results));
})();
`;
const CHILD = `
require('net').connect(443, '192.0.2.1').on('error', (e) => { if (process.send) process.send(e.code, () => process.exit(0)); else { console.log(e.code); process.exit(0); } }).on('connect', () => { console.log('connected'); process.exit(0); });
`;

describe('test network guard', function () {
  this.timeout(60_000);

  it('tells loopback from the network', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1', undefined]) assert.equal(isLoopback(h), true, String(h));
    for (const h of ['192.0.2.1', '10.0.0.1', 'huggingface.co', 'api.nuget.org', '::ffff:8.8.8.8', '2001:db8::1']) assert.equal(isLoopback(h), false, h);
  });

  it('refuses and records every way out (fetch, http, https, net, tls, dns, udp, child processes), lets loopback through', () => {
    const unshare = spawnSync('unshare', ['-n', 'true']);
    assert.equal(unshare.status, 0, `this test runs its probe in a network namespace of its own and needs \`unshare -n\` (root, as CI runs): ${unshare.error?.message ?? unshare.stderr}`);
    const dir = mkdtempSync(join(tmpdir(), 'ghostwriter-guard-'));
    try {
      writeFileSync(join(dir, 'probe.js'), PROBE);
      writeFileSync(join(dir, 'child.js'), CHILD);
      const log = join(dir, 'net.jsonl');
      const guard = join(repoRoot(), 'out', 'test', 'network', 'guard.js');
      const run = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" --require "${guard}" "${join(dir, 'probe.js')}"`], {
        env: { PATH: process.env['PATH'], GHOSTWRITER_NET_LOG: log },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(run.status, 0, run.stderr);
      const results = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, string>;
      assert.deepEqual(results, {
        'fetch by name': 'ECONNREFUSED',
        'fetch by address': 'ECONNREFUSED',
        https: 'ECONNREFUSED',
        'http by name': 'ECONNREFUSED',
        net: 'ECONNREFUSED',
        'net options': 'ECONNREFUSED',
        tls: 'ECONNREFUSED',
        dns: 'ENOTFOUND',
        'dns promise': 'ENOTFOUND',
        udp: 'ECONNREFUSED',
        'loopback http': 'connected',
        'loopback fetch': 'connected',
        'forked child': 'connected',
        'forked child connect': 'ECONNREFUSED',
        'sync child connect': 'ECONNREFUSED',
      });
      const records = readNetworkLog(log);
      const refused = (kind: NetRecord['kind']) => records.filter((r) => r.kind === kind && r.verdict === 'refused');
      assert.equal(refused('tcp').length, 9, 'every TCP attempt off the machine: fetch ×2, https, http, net ×2, tls, and the two children');
      assert.equal(refused('dns').length, 2);
      assert.equal(refused('udp').length, 1);
      assert.equal(refused('fetch').length, 2, 'fetch names who asked');
      assert.equal(new Set(refused('tcp').map((r) => r.process)).size, 2, 'the children recorded into the same log');
      const summary = summarize(records);
      assert.equal(summary.refused.length, 14);
      assert.ok(summary.lines.some((l) => /^loopback tcp from probe\.js ×2 to 127\.0\.0\.1:\d+, localhost:\d+: .*\(probe\.js\) in probe\.js$/.test(l)), summary.lines.join('\n'));
      assert.ok(summary.lines.some((l) => /^REFUSED tcp from child\.js \(pid \d+, started by probe\.js \(pid \d+\)\)/.test(l)), 'a child is named with its parent');
      assert.ok(summary.lines.some((l) => /^REFUSED udp from probe\.js \(pid \d+, started by an unguarded process \(pid \d+\)\) to 192\.0\.2\.1:53 ×1, asked by at .*probe\.js/.test(l)), summary.lines.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
