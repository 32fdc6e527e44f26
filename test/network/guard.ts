// A network guard preloaded (`--require out/test/network/guard.js`) into every Node process of a
// test run: mocha's, the inference processes it forks, the CLI it spawns, code-server and its
// extension host. Every outbound TCP connection, UDP send and DNS lookup is recorded; any that
// leaves the loopback interface is refused (ECONNREFUSED, before a packet is sent). Servers that
// start listening are recorded with the code that started them, so a report can name what each
// loopback connection reached (the hub stand-in, the NuGet feed stand-in, code-server).
//
// Records are JSON lines appended to GHOSTWRITER_NET_LOG (one file for the whole process tree;
// the main process makes one when unset). Child processes get the guard too: it rides on every
// spawn as NODE_OPTIONS, added at ChildProcess.prototype.spawn, past the environment filter the
// inference process is forked with (the production code passes no NODE_OPTIONS; the test adds it).
//
// Loaded by mocha (test:unit) it also registers a root afterAll hook that prints the report and
// fails the run when anything tried to leave the machine (see report.ts).
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { NetConnectOpts, Server, Socket, TcpNetConnectOpts } from 'node:net';
import type { Socket as UdpSocket } from 'node:dgram';
import { isLoopback } from './loopback';
import { LOG_VAR } from './logVar';
import { checkNetworkLog } from './report';

// The modules themselves (require, not import: a bundler's import wrapper is a copy, and patching a copy patches nothing).
/* eslint-disable @typescript-eslint/no-require-imports */
const child_process = require('node:child_process') as typeof import('node:child_process');
const dgram = require('node:dgram') as typeof import('node:dgram');
const dns = require('node:dns') as typeof import('node:dns');
const net = require('node:net') as typeof import('node:net');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface NetRecord {
  readonly pid: number;
  /** The parent's pid, so a report can say which process started this one. */
  readonly ppid?: number;
  /** The script the process runs (mocha, inference.js, extensionHostProcess.js, ...). */
  readonly process: string;
  readonly kind: 'tcp' | 'udp' | 'dns' | 'fetch' | 'listen' | 'start';
  readonly host?: string;
  readonly port?: number;
  readonly verdict: 'allowed' | 'refused';
  /** The first frames outside the guard and Node's internals: who asked. */
  readonly by: string;
}

const GUARD = __filename;
// Children preload this very file by its path: a bundled copy would preload the bundle instead.
if (basename(GUARD) !== 'guard.js') throw new Error(`the network guard must be loaded as out/test/network/guard.js, not bundled into ${GUARD}`);

if (!process.env[LOG_VAR]) process.env[LOG_VAR] = join(mkdtempSync(join(tmpdir(), 'ghostwriter-net-')), 'connections.jsonl');
const logFile = process.env[LOG_VAR]!;
// VS Code's processes are one script with a --type: name them by it (the extension host).
const processType = process.argv.find((a) => a.startsWith('--type='))?.slice('--type='.length);
const processName = basename(process.argv[1] ?? process.argv0) + (processType ? ` ${processType}` : '');

function caller(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1).map((l) => l.trim());
  const own = frames.filter((f) => !f.includes(GUARD) && !f.includes('node:') && !f.includes('(<anonymous>)'));
  return own.slice(0, 3).join(' < ') || 'Node itself, asynchronously (the fetch line before it names the caller)';
}

function record(r: Omit<NetRecord, 'pid' | 'process' | 'by'>): void {
  const line: NetRecord = { pid: process.pid, process: processName, ...r, by: caller() };
  try {
    appendFileSync(logFile, `${JSON.stringify(line)}\n`);
  } catch {
    // The log's folder is gone (the run is over): nothing to record into.
  }
}

function refusal(host: string, port: number | undefined): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ECONNREFUSED ${host}:${port ?? ''} (refused by the test network guard: not loopback)`), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
    address: host,
    port,
  });
}

// This process is guarded from here on: the report lists every guarded process.
try {
  appendFileSync(logFile, `${JSON.stringify({ pid: process.pid, ppid: process.ppid, process: processName, kind: 'start', verdict: 'allowed', by: '' } satisfies NetRecord)}\n`);
} catch {
  // as in record()
}

// TCP, and with it tls, http, https and fetch (undici connects through net).
const connect = net.Socket.prototype.connect as (this: Socket, ...args: unknown[]) => Socket;
net.Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
  const first = args[0] as unknown;
  const opts = (Array.isArray(first) ? first[0] : first) as NetConnectOpts | number | string;
  let host: string | undefined;
  let port: number | undefined;
  let path: string | undefined;
  if (typeof opts === 'object' && opts !== null) {
    if ('path' in opts && opts.path) path = opts.path;
    else {
      const o = opts as TcpNetConnectOpts;
      host = o.host ?? undefined;
      port = o.port === undefined ? undefined : Number(o.port);
    }
  } else if (typeof opts === 'number' || /^\d+$/.test(String(opts))) {
    port = Number(opts);
    host = typeof args[1] === 'string' ? args[1] : undefined;
  } else if (typeof opts === 'string') {
    path = opts;
  }
  // A Unix socket or pipe (IPC, code-server's own channels) is not the network.
  if (path !== undefined) return connect.apply(this, args);
  if (isLoopback(host)) {
    record({ kind: 'tcp', host: host ?? 'localhost', port, verdict: 'allowed' });
    return connect.apply(this, args);
  }
  record({ kind: 'tcp', host, port, verdict: 'refused' });
  const err = refusal(host!, port);
  process.nextTick(() => this.destroy(err));
  return this;
} as Socket['connect'];

const listen = net.Server.prototype.listen as (this: Server, ...args: unknown[]) => Server;
net.Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  const by = caller();
  this.once('listening', () => {
    const a = this.address();
    if (a && typeof a === 'object') {
      const line: NetRecord = { pid: process.pid, process: processName, kind: 'listen', host: a.address, port: a.port, verdict: 'allowed', by };
      try {
        appendFileSync(logFile, `${JSON.stringify(line)}\n`);
      } catch {
        // as in record()
      }
    }
  });
  return listen.apply(this, args);
} as Server['listen'];

// DNS: a lookup of a name that is not this machine is already a packet out.
const lookup = dns.lookup;
(dns as { lookup: unknown }).lookup = function (hostname: string, ...rest: unknown[]) {
  const callback = rest[rest.length - 1] as (err: NodeJS.ErrnoException | null, ...r: unknown[]) => void;
  if (isLoopback(hostname)) return (lookup as (...a: unknown[]) => void)(hostname, ...rest);
  record({ kind: 'dns', host: hostname, verdict: 'refused' });
  const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (refused by the test network guard)`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
  process.nextTick(() => callback(err));
  return undefined;
};
for (const m of ['resolve', 'resolve4', 'resolve6', 'resolveAny'] as const) {
  const original = dns[m] as (...a: unknown[]) => unknown;
  (dns as Record<string, unknown>)[m] = function (hostname: string, ...rest: unknown[]) {
    record({ kind: 'dns', host: hostname, verdict: isLoopback(hostname) ? 'allowed' : 'refused' });
    if (isLoopback(hostname)) return original.call(dns, hostname, ...rest);
    const callback = rest[rest.length - 1] as (err: Error) => void;
    process.nextTick(() => callback(Object.assign(new Error(`queryA ENOTFOUND ${hostname} (refused by the test network guard)`), { code: 'ENOTFOUND' })));
    return undefined;
  };
}

const promiseLookup = dns.promises.lookup;
(dns.promises as { lookup: unknown }).lookup = function (hostname: string, ...rest: unknown[]) {
  if (isLoopback(hostname)) return (promiseLookup as (...a: unknown[]) => unknown).call(dns.promises, hostname, ...rest);
  record({ kind: 'dns', host: hostname, verdict: 'refused' });
  return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (refused by the test network guard)`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname }));
};

// fetch connects later, from undici's own frames: note the URL and who asked when it is called.
const originalFetch = globalThis.fetch;
if (typeof originalFetch === 'function') {
  globalThis.fetch = function (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) {
    let url: URL | undefined;
    try {
      url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    } catch {
      // Not a URL: fetch itself will say so.
    }
    const port = url && Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (url) record({ kind: 'fetch', host: url.hostname, port, verdict: isLoopback(url.hostname) ? 'allowed' : 'refused' });
    return originalFetch(input, init);
  } as typeof fetch;
}

// UDP.
const send = dgram.Socket.prototype.send as (this: UdpSocket, ...args: unknown[]) => void;
dgram.Socket.prototype.send = function (this: UdpSocket, ...args: unknown[]) {
  // send(msg, [offset, length,] port, address, [callback]): the address is the first string after the message.
  const address = args.slice(1).find((a) => typeof a === 'string') as string | undefined;
  const port = args.slice(1).find((a) => typeof a === 'number') as number | undefined;
  if (isLoopback(address)) {
    record({ kind: 'udp', host: address ?? 'localhost', port, verdict: 'allowed' });
    return send.apply(this, args);
  }
  record({ kind: 'udp', host: address, port, verdict: 'refused' });
  const callback = args[args.length - 1];
  if (typeof callback === 'function') process.nextTick(() => (callback as (e: Error) => void)(refusal(address!, port)));
} as UdpSocket['send'];

// Every child process: the guard preloaded, the same log.
type SpawnOptions = { envPairs?: string[] };
const ChildProcess = child_process.ChildProcess as unknown as { prototype: { spawn(options: SpawnOptions): unknown } };
const spawn = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function (this: unknown, options: SpawnOptions) {
  if (Array.isArray(options?.envPairs)) {
    const pairs = options.envPairs.filter((p) => !p.startsWith('NODE_OPTIONS='));
    const nodeOptions = options.envPairs.find((p) => p.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length) ?? '';
    const preload = `--require ${JSON.stringify(GUARD)}`;
    pairs.push(`NODE_OPTIONS=${nodeOptions.includes(GUARD) ? nodeOptions : `${nodeOptions} ${preload}`.trim()}`);
    // A child given a log of its own (the guard's own test) keeps it; the rest share this one.
    if (!pairs.some((p) => p.startsWith(`${LOG_VAR}=`))) pairs.push(`${LOG_VAR}=${logFile}`);
    options.envPairs = pairs;
  }
  return spawn.call(this, options);
};

// The synchronous spawns do not go through ChildProcess: give their options the same two variables.
type SyncSpawn = (...args: unknown[]) => unknown;
for (const name of ['spawnSync', 'execFileSync', 'execSync'] as const) {
  const original = child_process[name] as unknown as SyncSpawn;
  (child_process as unknown as Record<string, SyncSpawn>)[name] = function (...args: unknown[]) {
    // (command, options) for execSync; (command, [args], [options]) for the other two.
    let at = 1;
    if (name !== 'execSync') {
      if (Array.isArray(args[1])) at = 2;
      else if (args[1] === undefined || args[1] === null) (args[1] = []), (at = 2);
    }
    if (args[at] === undefined || args[at] === null) args[at] = {};
    const options = args[at] as { env?: NodeJS.ProcessEnv };
    const env = { ...(options.env ?? process.env) };
    const preload = `--require ${JSON.stringify(GUARD)}`;
    if (!(env['NODE_OPTIONS'] ?? '').includes(GUARD)) env['NODE_OPTIONS'] = `${env['NODE_OPTIONS'] ?? ''} ${preload}`.trim();
    env[LOG_VAR] ??= logFile;
    args[at] = { ...options, env };
    return original.apply(child_process, args);
  };
}

/** Mocha's root hook (this module is mocha's --require): the report, failing the run on any refused connection. */
export const mochaHooks = {
  afterAll(): void {
    checkNetworkLog(logFile, (line) => process.stdout.write(`${line}\n`));
  },
};
