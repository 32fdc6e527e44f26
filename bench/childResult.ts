// One result from a child process the bench forks for a measurement that needs a process of its
// own (the typing replay, a memory account): the child replies once, the parent gets it or why not.
import { fork, type ForkOptions } from 'node:child_process';

type Reply<T> = { readonly type: 'result'; readonly result: T } | { readonly type: 'error'; readonly message: string };

/** Forks `script` (sending it `job` when given) and resolves with the result it replies; rejects on its error, or when it ends without one. */
export function forkForResult<T>(script: string, args: readonly string[], options: ForkOptions, what: string, job?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options });
    let settled = false;
    child.on('message', (m: Reply<T>) => {
      settled = true;
      if (m.type === 'result') resolve(m.result);
      else reject(new Error(`${what} failed: ${m.message}`));
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => settled || reject(new Error(`${what}'s process exited (${signal ?? `code ${code}`}) without a result`)));
    if (job !== undefined) child.send(job);
  });
}

/** In the child: replies with what `work` resolves to, or its error, then exits. */
export function replyOnce<T>(work: Promise<T>): void {
  work.then(
    (result) => process.send?.({ type: 'result', result } satisfies Reply<T>, () => process.exit(0)),
    (err: unknown) => process.send?.({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply<T>, () => process.exit(1)),
  );
}
