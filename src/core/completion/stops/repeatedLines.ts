// Small models loop: a line, or a block of lines, said twice in a row. The completion ends
// before the repetition (the cursor's whole line counts as the first line). Each new line is
// compared with the lines just before it: as a repeat of the line above, or as the end of a
// block of k lines that repeats the k before it. The filter dropRepeatedLines and the stop.
import { endBefore, type LineRule } from '../lines';
import type { RequestContext } from '../requestContext';
import { lineStop, type TextStop } from './types';

export function repeatedLinesRule(): LineRule {
  const lines: string[] = [];
  return (line, reader) => {
    const j = lines.push(line.whole.trimEnd()) - 1;
    // The longest block first: it starts the repetition earliest.
    for (let k = (j + 1) >> 1; k >= 2; k--) {
      const i = j - 2 * k + 1;
      let same = false;
      for (let t = 0; t < k; t++) {
        if (lines[i + t] !== lines[i + k + t]) {
          same = false;
          break;
        }
        if (lines[i + t].trim().length > 0) same = true;
      }
      if (same) return endBefore(reader, i + k);
    }
    return j > 0 && lines[j].trim().length > 0 && lines[j] === lines[j - 1] ? endBefore(reader, j) : undefined;
  };
}

export const repeatedLinesStop = (ctx: RequestContext): TextStop => lineStop('repeated-lines', ctx, repeatedLinesRule());
