// When the completion ends with what already follows the cursor on its line (a closing
// bracket, say), accepting it would double that text: cut the repeat off.
import { currentLine } from '../snapshot';
import type { Filter } from './types';

export const dropSuffixOverlap: Filter = (completion, snapshot) => {
  const after = currentLine(snapshot).after.trim();
  if (after.length === 0 || completion.includes('\n')) return completion;
  const body = completion.trimEnd();
  return body.endsWith(after) ? body.slice(0, body.length - after.length) : completion;
};
