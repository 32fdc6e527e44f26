// Gives memory JavaScript no longer holds back to the system now, where the process was started
// with --expose-gc (the inference process is: core/inferenceEnv.ts); elsewhere (the CLI, tests)
// it does nothing. V8 alone collects when its own heap fills, not when a few hundred MB of
// ArrayBuffers died just before native code (ONNX Runtime loading a model) needs as much again.

/**
 * Two full collections: the first finds the dead ArrayBuffers, whose memory V8 frees on a
 * background thread; the second waits for that, so it is freed when this returns. Whether a
 * collection ran.
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}
