// Small models loop: a line, or a block of lines, said twice in a row. The suggestion ends
// before the repetition. The cursor's whole line counts as the first line. The rule is
// src/core/completion/stops/repeatedLines.ts, which also stops decoding there.
import { cursorContext } from '../cursorContext';
import { cutByLines } from '../lines';
import { repeatedLinesRule } from '../stops/repeatedLines';
import type { Filter } from './types';

export const dropRepeatedLines: Filter = (completion, snapshot) => cutByLines(completion, cursorContext(snapshot), repeatedLinesRule());
