// What the CPU can do, as the operating system reports it, for the one decision that depends on
// it: whether ONNX Runtime's uint8 × int8 matmul adds its products in 32-bit lanes or in
// saturating 16-bit ones (int8Kernel.ts). Where to read, per platform:
// - Linux: the `flags` line of /proc/cpuinfo (the kernel's names: avx2, avx512_vnni, avx_vnni);
// - macOS on Intel: `sysctl machdep.cpu.features machdep.cpu.leaf7_features` (AVX2, AVX512VNNI);
// - elsewhere (Windows) nothing is read: the flags are unknown, and the decision says so.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface CpuFeatures {
  /** process.arch: 'x64', 'ia32', 'arm64'… */
  readonly arch: string;
  /** Lower-case flags in Linux's spelling; undefined when they could not be read. */
  readonly flags: ReadonlySet<string> | undefined;
  /** Where the flags came from, for the log. */
  readonly source: string;
}

/** The first `flags` line of /proc/cpuinfo (every core lists the same). */
export function parseProcCpuinfo(text: string): Set<string> | undefined {
  const line = text.split('\n').find((l) => /^flags\s*:/.test(l));
  return line ? new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/).filter(Boolean)) : undefined;
}

/** sysctl's upper-case names (AVX512VNNI, AVX2) in Linux's spelling (avx512_vnni, avx2). */
export function parseDarwinSysctl(text: string): Set<string> {
  const linuxName: Record<string, string> = { avx512vnni: 'avx512_vnni', avxvnni: 'avx_vnni' };
  const flags = new Set<string>();
  for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) flags.add(linuxName[word] ?? word);
  return flags;
}

export async function readCpuFeatures(platform = process.platform, arch = process.arch): Promise<CpuFeatures> {
  try {
    if (platform === 'linux') {
      return { arch, flags: parseProcCpuinfo(await readFile('/proc/cpuinfo', 'utf8')), source: '/proc/cpuinfo' };
    }
    if (platform === 'darwin' && (arch === 'x64' || arch === 'ia32')) {
      const out = await run('sysctl', ['-n', 'machdep.cpu.features', 'machdep.cpu.leaf7_features']);
      return { arch, flags: parseDarwinSysctl(out), source: 'sysctl machdep.cpu' };
    }
  } catch {
    // Unreadable (a sandbox, a missing sysctl): unknown, which the decision treats with care.
  }
  return { arch, flags: undefined, source: `nothing read on ${platform}` };
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
}
