// Reads the network guard's log (guard.ts) and names every connection of the run: which process,
// to where, how often, and what was listening there. Anything that tried to leave the machine
// fails the check, named with the code that asked.
import { existsSync, readFileSync } from 'node:fs';
import type { NetRecord } from './guard';

export interface NetworkSummary {
  /** Loopback attempts grouped by process, kind and what listened there; then each refused one. */
  readonly lines: readonly string[];
  readonly refused: readonly NetRecord[];
  readonly connections: number;
  /** The processes that ran with the guard (name ×count). */
  readonly guarded: string;
}

/** "at HubStandIn.start (/x/out/test/unit/hub.test.js:1:2)" → "HubStandIn.start (hub.test.js)". */
function who(by: string): string {
  const m = /at (?:async )?([^\s(]+) \(([^)]*?)([^/)]+?)(?::\d+:\d+)?\)/.exec(by) ?? /at ([^\s]+?)(?::\d+:\d+)?$/.exec(by.split(' < ')[0]);
  if (!m) return by.slice(0, 120);
  return m[3] ? `${m[1]} (${m[3]})` : (m[1].split('/').pop() ?? m[1]);
}

export function summarize(records: readonly NetRecord[]): NetworkSummary {
  const names = new Map<number, { process: string; ppid?: number }>();
  for (const r of records) if (r.kind === 'start') names.set(r.pid, { process: r.process, ...(r.ppid !== undefined ? { ppid: r.ppid } : {}) });
  const parentOf = (pid: number) => {
    const ppid = names.get(pid)?.ppid;
    return ppid === undefined ? '' : `, started by ${names.get(ppid)?.process ?? 'an unguarded process'} (pid ${ppid})`;
  };
  const listeners = new Map<number, string>();
  for (const r of records) if (r.kind === 'listen' && r.port !== undefined) listeners.set(r.port, `${who(r.by)} in ${r.process}`);
  // Loopback attempts grouped by process, kind and what listened there; refused ones one line per destination and caller.
  const groups = new Map<string, { r: NetRecord; n: number; to: Set<string>; target?: string }>();
  for (const r of records) {
    if (r.kind === 'listen' || r.kind === 'start') continue;
    const to = r.port === undefined ? String(r.host) : `${r.host}:${r.port}`;
    const target = r.verdict === 'allowed' ? ((r.port !== undefined ? listeners.get(r.port) : undefined) ?? 'nothing of this run listened there') : undefined;
    const key = r.verdict === 'allowed' ? `a ${r.kind} ${r.process} ${target}` : `r ${r.kind} ${r.process} ${to} ${r.by}`;
    const g = groups.get(key) ?? { r, n: 0, to: new Set<string>(), ...(target ? { target } : {}) };
    g.n++;
    g.to.add(to);
    groups.set(key, g);
  }
  const lines = [...groups.values()]
    .sort((a, b) => (a.r.verdict === b.r.verdict ? 0 : a.r.verdict === 'allowed' ? -1 : 1))
    .map(({ r, n, to, target }) => {
      const where = [...to];
      if (r.verdict === 'refused') return `REFUSED ${r.kind} from ${r.process} (pid ${r.pid}${parentOf(r.pid)}) to ${where.join(', ')} ×${n}, asked by ${r.by}`;
      const shown = where.length > 6 ? `${where.slice(0, 6).join(', ')} and ${where.length - 6} more` : where.join(', ');
      return `loopback ${r.kind} from ${r.process} ×${n} to ${shown}: ${target}`;
    });
  const started = new Map<string, number>();
  for (const r of records) if (r.kind === 'start') started.set(r.process, (started.get(r.process) ?? 0) + 1);
  const guarded = [...started].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
  return { lines, refused: records.filter((r) => r.verdict === 'refused'), connections: records.filter((r) => r.kind !== 'listen' && r.kind !== 'start').length, guarded };
}

export function readNetworkLog(file: string): NetRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as NetRecord);
}

/** Prints every connection of the run; throws naming each that tried to leave the machine. */
export function checkNetworkLog(file: string, print: (line: string) => void): NetworkSummary {
  const summary = summarize(readNetworkLog(file));
  print(`[network] processes guarded: ${summary.guarded || 'none'}`);
  print(`[network] ${summary.connections} connection attempt(s) in this run (log ${file}); every one of them:`);
  for (const l of summary.lines) print(`[network]   ${l}`);
  if (summary.refused.length === 0) print('[network] none left the machine: no telemetry, no download but from the stand-ins');
  else throw new Error(`${summary.refused.length} connection attempt(s) tried to leave the machine and were refused:\n${summary.lines.filter((l) => l.startsWith('REFUSED')).join('\n')}`);
  return summary;
}

/** Ghostwriter's own code: the inference process, and any attempt whose caller is in the extension's bundles. */
export function isGhostwriters(r: NetRecord): boolean {
  return r.process.startsWith('inference.js') || /\/dist\/(extension|inference|cli)\.js/.test(r.by);
}

/**
 * For a run of the editor (code-server, its extension host, the inference process): prints every
 * connection, and throws when Ghostwriter's code tried to leave the machine. Attempts by the
 * editor itself or its built-in extensions are named as such (the guard refused them too).
 */
export function checkEditorNetworkLog(file: string, print: (line: string) => void): NetworkSummary {
  const records = readNetworkLog(file);
  const summary = summarize(records);
  print(`[network] processes guarded: ${summary.guarded || 'none'}`);
  if (!/\binference\.js\b/.test(summary.guarded)) throw new Error(`the inference process never ran with the network guard (guarded: ${summary.guarded}): the check saw nothing of it`);
  print(`[network] ${summary.connections} connection attempt(s) by the editor's Node processes (log ${file}); every one of them:`);
  for (const l of summary.lines) print(`[network]   ${l}`);
  const ours = summary.refused.filter(isGhostwriters);
  const others = summary.refused.length - ours.length;
  if (others > 0) print(`[network] ${others} refused attempt(s) came from the editor or its built-in extensions, not from Ghostwriter's code`);
  if (ours.length > 0) throw new Error(`Ghostwriter tried to leave the machine ${ours.length} time(s):\n${ours.map((r) => `${r.kind} ${r.host}:${r.port ?? ''} from ${r.process}, asked by ${r.by}`).join('\n')}`);
  print("[network] Ghostwriter's code made no connection off the machine");
  return summary;
}
