// Bundles the extension, the inference process, the CLI and the tests.
// `vscode` is provided by the editor; onnxruntime-node ships a native addon, so both stay external.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** All .ts files below a folder (none when it does not exist), for test and script entry points. */
function tsFilesUnder(dir) {
  let files = [];
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files = files.concat(tsFilesUnder(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(p);
  }
  return files;
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode', 'onnxruntime-node', 'mocha', 'playwright-core', '@vscode/test-electron'],
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts', inference: 'src/inference/main.ts', cli: 'src/cli.ts' },
    outdir: 'dist',
    minify: production,
  },
  {
    ...common,
    // Tests (test/ and the *.test.ts beside src/ modules), scripts and benchmarks run from out/.
    entryPoints: [
      ...tsFilesUnder('test'),
      ...tsFilesUnder('src').filter((f) => f.endsWith('.test.ts')),
      ...tsFilesUnder('scripts'),
      ...tsFilesUnder('bench'),
    ],
    outbase: '.',
    outdir: 'out',
  },
];

// A production build (for the VSIX) is the shipped bundles only; tests and their out/ stay as they are.
const selected = production ? builds.slice(0, 1) : builds;
if (!production) rmSync('out', { recursive: true, force: true });
if (watch) {
  for (const b of selected) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(selected.map((b) => esbuild.build(b)));
}
