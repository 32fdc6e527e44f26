// Where a graph's external data lies, as ONNX Runtime checks it. It refuses a location that is
// absolute or that resolves (symlinks followed) outside the folder it reads from. A model in the
// Hugging Face cache is a folder of symlinks (snapshots/<commit>/onnx/model.onnx_data ->
// ../../../blobs/<hash>), so a prepared graph, which lives elsewhere, names each data file by its
// real name in its real folder and is loaded with that folder as the place to read from.
import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { first, readFields, text } from './protoReader';
import { Message } from './protoWriter';
import type { OnnxModel } from './graph';

const TENSOR = { EXTERNAL_DATA: 13, DATA_LOCATION: 14 };
const EXTERNAL = 1;

/** The folder ONNX Runtime should read a prepared graph's external data from: the model file's real folder. */
export function externalDataFolder(onnxPath: string): string {
  return dirname(realpathSync(onnxPath));
}

/**
 * Rewrites every external initializer's location (relative to the model's folder) to the data
 * file's real path relative to externalDataFolder(onnxPath). Returns how many tensors were external.
 */
export function relocateExternalData(model: OnnxModel, onnxPath: string): number {
  if (!model.externalData) return 0;
  const from = dirname(onnxPath);
  const to = externalDataFolder(onnxPath);
  const real = new Map<string, string>();
  let moved = 0;
  for (const [name, payload] of model.graph.initializers) {
    const fields = readFields(payload);
    if (first(fields, TENSOR.DATA_LOCATION)?.int !== EXTERNAL) continue;
    const m = new Message();
    for (const f of fields) {
      const entry = f.field === TENSOR.EXTERNAL_DATA ? readFields(f.bytes) : undefined;
      const key = entry && first(entry, 1);
      const value = entry && first(entry, 2);
      if (key && value && text(key) === 'location') {
        const location = text(value);
        let target = real.get(location);
        if (target === undefined) {
          target = relative(to, realpathSync(join(from, location)));
          real.set(location, target);
        }
        m.message(TENSOR.EXTERNAL_DATA, new Message().string(1, 'location').string(2, target));
      } else {
        m.raw(f.raw);
      }
    }
    model.graph.initializers.set(name, m.toBytes());
    moved++;
  }
  return moved;
}

/**
 * What the prepared graph's locations depend on besides the graph file: the real names of the
 * data files beside it (`<file>_data`, `<file>_data_N`, `<file>.data`, as Optimum and
 * transformers.js name them). Two Hugging Face snapshots may share a graph file and differ in
 * their data blobs; this keeps their prepared graphs apart. '' when there are none.
 */
export function externalDataKey(onnxPath: string): string {
  const dir = dirname(onnxPath);
  const base = basename(onnxPath);
  const isData = (n: string) => n === `${base}.data` || n === `${base}_data` || (n.startsWith(`${base}_data_`) && /^\d+$/.test(n.slice(base.length + 6)));
  try {
    const names = readdirSync(dir).filter(isData).sort();
    if (names.length === 0) return '';
    const to = externalDataFolder(onnxPath);
    return names.map((n) => `${n}=${relative(to, realpathSync(join(dir, n)))}`).join(';');
  } catch {
    // Unreadable here: the load that follows says what is wrong with the folder.
    return '';
  }
}
