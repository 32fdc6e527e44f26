// A block ends where indentation returns above it: lines after the completion's first are
// kept while they are indented at least as deep as it; a dedented closing bracket line is the
// block's last line, any other dedented line is not part of it.
import { scanCode } from '../codeScan';
import { cursorContext, indentWidth } from '../cursorContext';
import { linesInText } from './lines';
import type { Filter } from './types';

export const stopAtDedent: Filter = (completion, snapshot) => {
  if (!completion.includes('\n')) return completion;
  const ctx = cursorContext(snapshot);
  const { before } = ctx;
  const lines = completion.split('\n');
  // Lines that start inside a string or comment are text: their indentation says nothing.
  const inText = linesInText(completion, ctx);
  const pops = scanCode(completion, ctx.languageId, ctx.state).pops;
  const start = lines.findIndex((l) => l.trim().length > 0);
  if (start < 0) return completion;
  // The first line with text sets the block's level; on the cursor's line that is the line's indentation.
  const base = start > 0 ? indentWidth(lines[start]) : before.trim().length === 0 ? indentWidth(before + lines[0]) : indentWidth(before);
  let offset = lines[0].length + 1;
  for (let i = 1; i < lines.length; offset += lines[i].length + 1, i++) {
    const line = lines[i];
    if (i <= start || inText[i] || line.trim().length === 0 || indentWidth(line) >= base) continue;
    // A closing line (a bracket, a tag, or one that closes what is open at the cursor) is the block's last.
    const closes = /^([)\]}]|<\/)/.test(line.trim()) || pops.some((p) => p > offset && p <= offset + line.length);
    return lines.slice(0, closes ? i + 1 : i).join('\n');
  }
  return completion;
};
