// A block ends with the bracket that closes the cursor's block: a completion that closes a
// bracket (or the string) open at the cursor ends with that line, whatever it wrote after it.
// The rule is src/core/completion/stops/blockEnd.ts, which also stops decoding there. A first
// line that goes on into a block of its own got past the stops (replayed before the filters)
// only where a block may follow it, so here it may go on.
import { cursorContext } from '../cursorContext';
import { cutByLines } from '../lines';
import { blockEndRule } from '../stops/blockEnd';
import type { Filter } from './types';

export const stopAtBlockEnd: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  return cutByLines(completion, ctx, blockEndRule({ ...ctx, followBlock: true }));
};
