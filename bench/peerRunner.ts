// Runs one peer job in a fresh child process (bench/peer.ts, bundled to out/bench/peer.js).
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { BenchLog } from './client';
import type { PeerJob, PeerMessage, PeerResult } from './peerProtocol';

export function runPeer(root: string, job: PeerJob, log: BenchLog, timeoutMs: number): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(root, 'out', 'bench', 'peer.js'), [], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new Error(`the peer process took longer than ${Math.round(timeoutMs / 1000)} s`)));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => log.line(`peer stdout: ${chunk.trimEnd()}`));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.line(`peer stderr: ${chunk.trimEnd()}`));
    child.on('message', (message: PeerMessage) => {
      if (message.type === 'result') finish(() => resolve(message.result));
      else finish(() => reject(new Error(`the peer failed: ${message.message}`)));
    });
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, signal) => finish(() => reject(new Error(`the peer process exited (${signal ?? `code ${code}`}) without a result; see the log`))));
    child.send(job);
  });
}
