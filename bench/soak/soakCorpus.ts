// The files the soak types over: real source code this project did not write, found on disk
// (other projects' files shipped in node_modules, Debian's Python library), in several languages
// and sizes (10 KB of CSS to 120 KB of a C++ header). Nothing is downloaded.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceFile } from '../corpus';

/** languageId → candidates, best first; the first that exists is used. */
const CANDIDATES: readonly (readonly [string, readonly string[]])[] = [
  ['typescript', ['node_modules/@azure/msal-common/src/cache/CacheManager.ts', 'node_modules/onnxruntime-common/lib/inference-session.ts']],
  ['javascript', ['node_modules/mocha/lib/runner.js', 'node_modules/esbuild/lib/main.js']],
  ['python', pythonLib('difflib.py', 'argparse.py')],
  ['cpp', ['node_modules/sharp/src/pipeline.cc', 'node_modules/sharp/src/common.cc', 'node_modules/keytar/src/keytar_posix.cc']],
  ['cpp', ['node_modules/node-addon-api/napi.h', 'node_modules/sharp/src/pipeline.h']],
  ['css', ['node_modules/mocha/mocha.css']],
];

function pythonLib(...names: string[]): string[] {
  if (!existsSync('/usr/lib')) return [];
  const dirs = readdirSync('/usr/lib')
    .filter((n) => /^python3(\.\d+)?$/.test(n))
    .sort()
    .reverse();
  return names.flatMap((name) => dirs.map((d) => join('/usr/lib', d, name)));
}

/** The files found (at least one is needed); `missing` names the languages with none. */
export function soakFiles(root: string): { files: SourceFile[]; missing: string[] } {
  const files: SourceFile[] = [];
  const missing: string[] = [];
  for (const [languageId, paths] of CANDIDATES) {
    const path = paths.find((p) => existsSync(p.startsWith('/') ? p : join(root, p)));
    if (!path) {
      missing.push(languageId);
      continue;
    }
    const text = readFileSync(path.startsWith('/') ? path : join(root, path), 'utf8').replace(/\r\n/g, '\n');
    files.push({ path, languageId, text });
  }
  if (files.length === 0) throw new Error('none of the soak corpus files exist: run npm ci first');
  return { files, missing };
}
