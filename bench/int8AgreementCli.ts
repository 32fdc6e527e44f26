// int8Agreement.ts alone, printing its JSON:
//   node out/bench/int8AgreementCli.js [--quick] [--prompts N] [--int8-kernel auto|saturating|exact]
// `--int8-kernel` tells the engine which int8 sums to fit (default: read from this CPU). Under
// `valgrind --tool=none node --jitless` ONNX Runtime runs the kernels of x86 CPUs without VNNI
// while /proc/cpuinfo still shows this CPU's flags, so say `--int8-kernel saturating` there; run
// once natively first, so the prepared graphs are in the cache and valgrind only decodes.
import type { Int8Kernel } from '../src/inference/int8Kernel';
import { FULL, QUICK } from './config';
import { int8Agreement } from './int8Agreement';

const KERNELS: Record<string, Int8Kernel> = {
  saturating: { saturates: true, why: 'told: int8 sums saturate at 16 bits (--int8-kernel saturating)' },
  exact: { saturates: false, why: 'told: int8 sums in 32 bits (--int8-kernel exact)' },
};

async function main(args: string[]): Promise<void> {
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const cfg = args.includes('--quick') ? QUICK : FULL;
  const kernel = flag('--int8-kernel') ?? 'auto';
  if (kernel !== 'auto' && !KERNELS[kernel]) throw new Error('--int8-kernel must be auto, saturating or exact');
  const result = await int8Agreement(cfg.model, cfg.modelName, { prompts: Number(flag('--prompts') ?? 8), promptTokens: 128, newTokens: cfg.decodeNewTokens, int8: KERNELS[kernel] });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
