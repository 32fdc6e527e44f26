// npm run package [-- --target linux-x64] [--out FILE]: builds a VSIX for one platform. onnxruntime-node
// ships native folders for every platform (~290 MB); a VSIX needs only its target's.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGETS = { 'linux-x64': 'linux/x64', 'linux-arm64': 'linux/arm64', 'darwin-arm64': 'darwin/arm64', 'win32-x64': 'win32/x64', 'win32-arm64': 'win32/arm64' };
const flag = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const target = flag('--target') ?? `${process.platform}-${process.arch}`;
if (!TARGETS[target]) {
  process.stderr.write(`unknown target ${target}; one of ${Object.keys(TARGETS).join(', ')}\n`);
  process.exit(2);
}

// In .vscodeignore a `!` pattern wins over every ignore pattern, so the target's folder is the
// only native one let back in.
const nativeDir = `node_modules/onnxruntime-node/bin/napi-v6/${TARGETS[target]}`;
if (!existsSync(nativeDir)) {
  process.stderr.write(`${nativeDir} is missing: onnxruntime-node has no binaries for ${target}\n`);
  process.exit(1);
}
const ignoreFile = join(mkdtempSync(join(tmpdir(), 'ghostwriter-vsix-')), '.vscodeignore');
writeFileSync(ignoreFile, `${readFileSync('.vscodeignore', 'utf8')}\n!${nativeDir}/**\n`);

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const out = flag('--out') ?? `ghostwriter-${target}-${version}.vsix`;
execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'package', '--target', target, '--ignoreFile', ignoreFile, '--no-rewrite-relative-links', '--out', out], { stdio: 'inherit' });
process.stdout.write(`${out}\n`);
