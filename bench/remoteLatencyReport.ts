// The remote-latency figure in `npm run bench`: measured, printed next to the local one, and
// written beside the other results (bench/results/remote-latency[-quick].json). A failure is
// printed, never fatal: it is a figure, not a gate.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceFile } from './corpus';
import { remoteLatency } from './remoteLatency';

export async function printRemoteLatency(root: string, modelDir: string, files: readonly SourceFile[], reps: number, say: (s: string) => void): Promise<void> {
  try {
    const r = await remoteLatency(root, modelDir, files, reps, say);
    const file = join(root, 'bench', 'results', reps < 10 ? 'remote-latency-quick.json' : 'remote-latency.json');
    writeFileSync(file, `${JSON.stringify({ schema: 1, modelDir, ...r }, null, 2)}\n`);
    console.log(`first suggestion after an edit (${r.reps} edits): local median ${r.localAfterEditMs.median} ms (p95 ${r.localAfterEditMs.p95}); through a server (${r.dialect}) median ${r.serverAfterEditMs.median} ms (p95 ${r.serverAfterEditMs.p95}) -> ${file}`);
  } catch (err) {
    console.log(`remote latency: not measured: ${err instanceof Error ? err.message : String(err)}`);
  }
}
