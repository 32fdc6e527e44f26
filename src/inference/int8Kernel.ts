// Whether this CPU's int8 matmul can overflow on weights that use the whole int8 range.
//
// ONNX Runtime's CPU provider (MLAS) multiplies dynamically quantized activations (uint8) by int8
// weights. With VNNI (AVX512-VNNI's or AVX-VNNI's vpdpbusd) each product lands in a 32-bit sum:
// exact. Without it, x86 uses AVX2's (or SSE4.1's) pmaddubsw, which adds two products in a
// saturating 16-bit lane: 255·127·2 = 64770 clips at 32767, while 255·64·2 = 32640 fits. Arm's
// kernels widen before they add (udot/sdot, or umull + uadalp): exact too.
import type { CpuFeatures } from './cpuFeatures';

/** The largest |q| of an int8 weight whose pair sums fit a 16-bit lane against any uint8: 2·255·64 ≤ 32767. */
export const SAFE_INT8_WEIGHT = 64;

export interface Int8Kernel {
  /** Pairs of products are summed in saturating 16-bit lanes: weights beyond ±64 can overflow. */
  readonly saturates: boolean;
  /** Why, for the log. */
  readonly why: string;
}

const VNNI_FLAGS = ['avx512_vnni', 'avx_vnni'];

export function int8KernelOf(cpu: CpuFeatures): Int8Kernel {
  if (cpu.arch !== 'x64' && cpu.arch !== 'ia32') {
    return { saturates: false, why: `${cpu.arch}: its int8 kernels sum in 32 bits` };
  }
  if (!cpu.flags) {
    return { saturates: true, why: `x86 CPU whose flags are unknown (${cpu.source}): taken as without VNNI, whose int8 sums saturate at 16 bits` };
  }
  const vnni = VNNI_FLAGS.filter((f) => cpu.flags!.has(f));
  if (vnni.length > 0) return { saturates: false, why: `x86 CPU with ${vnni.join(' and ')} (${cpu.source}): int8 sums in 32 bits` };
  return { saturates: true, why: `x86 CPU without VNNI (${cpu.source} lists neither ${VNNI_FLAGS.join(' nor ')}): int8 sums saturate at 16 bits` };
}
