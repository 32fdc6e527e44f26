// `node out/bench/remoteLatencyCli.js [--quick]`: the remote-latency figure alone (npm run bench
// prints it after its table): the GPT-2-small-shaped bench model, or the tiny one with --quick.
// In its own entry so that bundling remoteLatency.ts into run.js never starts it.
import { ensureModel, findRepoRoot, GPT2_SMALL, TINY } from '../scripts/model/generate';
import { replayFiles } from './corpus';
import { printRemoteLatency } from './remoteLatencyReport';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const root = findRepoRoot();
  const modelDir = await ensureModel(quick ? 'tiny' : 'gpt2-small', quick ? TINY : GPT2_SMALL);
  await printRemoteLatency(root, modelDir, replayFiles(root).files, quick ? 3 : 10, (s) => console.log(s));
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
