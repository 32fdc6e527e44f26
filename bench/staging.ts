// Copies the bundles the bench forks (dist/inference.js, out/bench/peer.js, out/bench/replayChild.js) to a folder of this
// run's own inside the repo (so node_modules still resolves), so that a rebuild while the bench
// runs cannot change or remove the code under measurement halfway.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const BUNDLES = ['dist/inference.js', 'out/bench/peer.js', 'out/bench/replayChild.js'];

/** Returns a folder laid out like the repo root for those bundles, and its cleanup. */
export function stageBundles(root: string): { dir: string; cleanup: () => void } {
  const dir = join(root, '.cache', 'bench', `runtime-${process.pid}`);
  for (const bundle of BUNDLES) {
    const from = join(root, bundle);
    if (!existsSync(from)) throw new Error(`${bundle} is missing: run npm run build first (npm run bench does).`);
    mkdirSync(dirname(join(dir, bundle)), { recursive: true });
    copyFileSync(from, join(dir, bundle));
    if (existsSync(`${from}.map`)) copyFileSync(`${from}.map`, join(dir, `${bundle}.map`));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
