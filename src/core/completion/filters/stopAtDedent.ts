// A block ends where indentation returns above it: lines after the completion's first are
// kept while they are indented at least as deep as it; a dedented closing bracket line is the
// block's last line, any other dedented line is not part of it. The rule is
// src/core/completion/stops/dedent.ts, which also stops decoding there.
import { cursorContext } from '../cursorContext';
import { cutByLines } from '../lines';
import { dedentRule } from '../stops/dedent';
import type { Filter } from './types';

export const stopAtDedent: Filter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  return cutByLines(completion, ctx, dedentRule(ctx));
};
