// A block ends with the bracket that closes the cursor's block: a completion that closes a
// bracket (or the string) open at the cursor ends with that line, whatever it wrote after it.
import { scanCode } from '../codeScan';
import { cursorContext } from '../cursorContext';
import type { Filter } from './types';

export const stopAtBlockEnd: Filter = (completion, snapshot) => {
  if (!completion.includes('\n')) return completion;
  const ctx = cursorContext(snapshot);
  const { pops } = scanCode(completion, ctx.languageId, ctx.state);
  if (pops.length === 0) return completion;
  const end = completion.indexOf('\n', pops[0]);
  return end < 0 ? completion : completion.slice(0, end);
};
