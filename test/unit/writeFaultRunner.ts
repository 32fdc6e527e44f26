// Run by writeFaults.test.ts in a child process whose shell set a file size limit (ulimit -f): a
// download or an install that hits it mid-file gets a real write error (EFBIG) from the kernel.
// Prints one JSON line: { ok } or { code, message }.
import { GhostwriterError } from '../../src/core/errors';
import { installCudaProviders } from '../../src/core/gpu/install';
import { resolveModel } from '../../src/core/hub';

type Job =
  | { readonly kind: 'hub'; readonly endpoint: string; readonly cacheRoot: string; readonly repo: string }
  | { readonly kind: 'gpu'; readonly version: string; readonly bindingDir: string; readonly nupkgPath: string };

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  try {
    if (job.kind === 'hub') await resolveModel({ source: job.repo, endpoint: job.endpoint, cacheRoot: job.cacheRoot, modelFile: 'auto', onCpu: true, retries: 3 });
    else await installCudaProviders({ version: job.version, bindingDir: job.bindingDir, nupkgPath: job.nupkgPath });
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } catch (err) {
    const e = err instanceof GhostwriterError ? err : new GhostwriterError('internal', String(err));
    process.stdout.write(`${JSON.stringify({ code: e.code, message: e.message })}\n`);
  }
}

void main();
