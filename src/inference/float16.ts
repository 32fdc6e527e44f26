// fp16 exports hand back half-precision logits; sampling works on float32.

/** IEEE 754 half (as stored in a Uint16Array) to float32. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function halfArrayToFloat32(src: Uint16Array, start = 0, end = src.length): Float32Array {
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = halfToFloat(src[i]);
  return out;
}
