// The cursor already follows a space (or the line's indentation): a completion that starts with
// spaces would double them. GPT-2's tokens carry their leading space (" return"), so after an
// indented empty line the model often starts with one more.
import { currentLine } from '../../snapshot';
import type { Filter } from './types';

export const trimLeadingSpace: Filter = (completion, snapshot) => {
  if (!/[ \t]$/.test(currentLine(snapshot).before)) return completion;
  return completion.replace(/^[ \t]+/, '');
};
