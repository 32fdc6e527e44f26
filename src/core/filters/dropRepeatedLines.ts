// Small models loop: a line, or a block of lines, said twice in a row. The suggestion ends
// before the repetition. The cursor's whole line counts as the first line.
import { currentLine } from '../snapshot';
import type { Filter } from './types';

export const dropRepeatedLines: Filter = (completion, snapshot) => {
  if (!completion.includes('\n')) return completion;
  const parts = completion.split('\n');
  const lines = parts.map((l, i) => (i === 0 ? currentLine(snapshot).before + l : l).trimEnd());
  let cut = parts.length;
  for (let i = 1; i < lines.length && cut === parts.length; i++) {
    if (lines[i].trim().length > 0 && lines[i] === lines[i - 1]) cut = i;
  }
  for (let k = 2; 2 * k <= lines.length; k++) {
    for (let i = 0; i + 2 * k <= lines.length && i + k < cut; i++) {
      const block = lines.slice(i, i + k);
      if (block.some((l) => l.trim().length > 0) && block.every((l, j) => l === lines[i + k + j])) cut = i + k;
    }
  }
  return cut === parts.length ? completion : parts.slice(0, cut).join('\n');
};
