// Lines of a suggestion follow the document's indentation: tabs where it uses tabs, its number
// of spaces per level where it uses spaces. Only whitespace at line starts changes.
import { cursorContext, leadingWhitespace } from '../cursorContext';
import { linesInText } from '../lines';
import type { Filter } from './types';

export const normalizeIndentation: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  const style = ctx.indent;
  if (!style) return completion;
  const lines = completion.split('\n');
  // The first line continues the cursor's line: its whitespace is indentation only at a line start.
  const first = ctx.before.length === 0 ? 0 : 1;
  // Lines that start inside a string or comment keep their whitespace: it is text.
  const inText = linesInText(completion, ctx);
  const indented = (i: number) => i >= first && !inText[i] && lines[i].trim().length > 0;
  if (style.tabs) {
    // The model's spaces per level: what all its space indents are multiples of.
    const unit = stepOf(lines.filter((l, i) => indented(i) && !leadingWhitespace(l).includes('\t')).map((l) => leadingWhitespace(l).length)) ?? style.unit;
    return lines
      .map((line, i) => {
        const ws = leadingWhitespace(line);
        if (!indented(i) || !ws.includes(' ')) return line;
        const tabs = ws.split('\t').length - 1;
        const spaces = ws.length - tabs;
        return '\t'.repeat(tabs + Math.floor(spaces / unit)) + ' '.repeat(spaces % unit) + line.slice(ws.length);
      })
      .join('\n');
  }
  // A tab is one level of the document's spaces.
  const columns = (ws: string) => ws.replace(/\t/g, ' '.repeat(style.unit)).length;
  const ref = columns(leadingWhitespace(ctx.before));
  const cols = lines.map((l, i) => (indented(i) ? columns(leadingWhitespace(l)) : undefined));
  // The model's step below the cursor's line. One the document's unit does not divide (2 in a
  // 4-space file) is the model's own unit: rescale it. A multiple may be a deeper level or a
  // hanging indent, and stays; except that the first line after a `{` or `:` is one level deeper.
  const model = stepOf(cols.flatMap((c) => (c !== undefined && c > ref ? [c - ref] : [])));
  const firstStep = (cols.find((c) => c !== undefined) ?? ref) - ref;
  const header = /[{:]$/.test(ctx.before.trimEnd()) && completion.startsWith('\n');
  const rescale = model !== undefined && (model % style.unit !== 0 || (header && model > style.unit && firstStep === model));
  return lines
    .map((line, i) => {
      const c = cols[i];
      if (c === undefined) return line;
      const ws = leadingWhitespace(line);
      const width = rescale && c >= ref ? ref + ((c - ref) / model!) * style.unit : c;
      return width === ws.length && !ws.includes('\t') ? line : ' '.repeat(width) + line.slice(ws.length);
    })
    .join('\n');
};

/** The greatest common divisor of the widths, when it can be an indent unit (2 or more). */
function stepOf(widths: readonly number[]): number | undefined {
  let g = 0;
  for (const w of widths) {
    let [a, b] = [g, w];
    while (b > 0) [a, b] = [b, a % b];
    g = a;
  }
  return g >= 2 ? g : undefined;
}
