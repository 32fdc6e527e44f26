// The suffix's next line already closes the block: a completion that ends with the same
// closing line (`}`, `});`, `]`) would leave two. Its last line goes, when that keeps its own
// brackets balanced.
import { cursorContext } from '../cursorContext';
import { cutKeepsBalance, isClosingLine, linesBelow } from '../lines';
import type { Filter } from './types';

export const dropDuplicateClosingLine: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  if (ctx.after.trim().length > 0) return completion;
  const next = linesBelow(ctx)[0];
  const nl = completion.lastIndexOf('\n');
  const last = completion.slice(nl + 1);
  // A one-line completion is the whole closing line only on an otherwise empty line.
  if (next === undefined || !isClosingLine(last) || (nl < 0 && ctx.before.trim().length > 0)) return completion;
  // With its indentation: `\t}` closing an inner block is not the `}` below that closes the outer one.
  if ((nl < 0 ? ctx.before + last : last).trimEnd() !== next.trimEnd()) return completion;
  const kept = nl < 0 ? '' : completion.slice(0, nl);
  return cutKeepsBalance(kept, completion, ctx) ? kept : completion;
};
