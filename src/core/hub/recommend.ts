// Which catalog model to offer a new user, from what the machine has: a GPU (CUDA usable), its
// cores and its free memory, with the reason in words for the offer. Local completers recommend
// the same way: llama.vscode's presets take Qwen2.5-Coder 1.5B, or 0.5B on a CPU-only machine;
// Continue's autocomplete docs name qwen2.5-coder:1.5b first. Decoding is bound by the bytes of
// weights read per token, so on a CPU the int8 file and fewer parameters answer sooner, and the
// 1.5B only keeps up with many cores.
import { catalogEntry, defaultVariant, describeLanguages, ENGINE_MODEL_TYPES, formatSize, loadable, type CatalogEntry, type CatalogVariant } from './catalog';

export interface Machine {
  /** CUDA will run the model (the provider is installed and not turned off). */
  readonly gpu: boolean;
  readonly cores: number;
  /** Memory free now (os.freemem()). */
  readonly freeBytes: number;
}

export interface Recommendation {
  readonly entry: CatalogEntry;
  readonly variant: CatalogVariant;
  /** Why this one, for the offer: "no GPU, 4 cores, 6.2 GB free: …". */
  readonly why: string;
}

/** What a variant takes while it runs: its weights once, plus ONNX Runtime's buffers and the KV cache. */
export const RUNTIME_OVERHEAD = 1.5;
/** The 1.5B's int8 file decodes fast enough on this many cores (half the 0.5B's speed on 2). */
export const CORES_FOR_LARGE = 8;

const QWEN_SMALL = 'onnx-community/Qwen2.5-Coder-0.5B-Instruct';
const QWEN_LARGE = 'onnx-community/Qwen2.5-Coder-1.5B';
/** When nothing multi-language fits: small code models first, then text models. */
const FALLBACKS = ['Xenova/tiny_starcoder_py', 'Xenova/distilgpt2', 'Xenova/gpt2'];

const fits = (variant: CatalogVariant, m: Machine) => variant.bytes * RUNTIME_OVERHEAD <= m.freeBytes;

export function recommend(m: Machine, modelTypes: readonly string[] = ENGINE_MODEL_TYPES): Recommendation {
  const where = `${m.gpu ? 'a GPU' : 'no GPU'}, ${m.cores} core${m.cores === 1 ? '' : 's'}, ${formatSize(m.freeBytes)} free`;
  const pick = (id: string) => {
    const entry = catalogEntry(id);
    if (!entry || !loadable(entry, modelTypes)) return undefined;
    const variant = defaultVariant(entry, !m.gpu);
    return fits(variant, m) ? { entry, variant } : undefined;
  };
  const large = pick(QWEN_LARGE);
  if (large && (m.gpu || m.cores >= CORES_FOR_LARGE)) {
    const reason = m.gpu ? 'the GPU runs the 1.5B fast' : `${m.cores} cores keep up with the 1.5B's int8 file`;
    return { ...large, why: `${where}: ${reason}; ${describeLanguages(large.entry)}, fill-in-the-middle` };
  }
  const small = pick(QWEN_SMALL);
  if (small) {
    const reason = m.gpu ? 'the 1.5B would not fit in the free memory' : `the 0.5B answers quickly on ${m.cores} cores (the 1.5B wants ${CORES_FOR_LARGE} or more)`;
    return { ...small, why: `${where}: ${reason}; ${describeLanguages(small.entry)}, fill-in-the-middle` };
  }
  for (const id of FALLBACKS) {
    const found = pick(id);
    if (found) return { ...found, why: `${where}: the code models that know many languages need more free memory; this one fits (${describeLanguages(found.entry)})` };
  }
  const entry = catalogEntry('Xenova/distilgpt2')!;
  return { entry, variant: defaultVariant(entry, !m.gpu), why: `${where}: little memory is free; the smallest model is offered` };
}
