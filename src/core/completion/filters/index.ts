// The post-processing chain, in order; a filter that drops a completion ends it. Text filters
// first (the text with '\n' line breaks), then the range: what the text replaces after the cursor.
import type { DocumentSnapshot } from '../../snapshot';
import { dropBlank } from './dropBlank';
import { dropDuplicateClosingLine } from './dropDuplicateClosingLine';
import { dropRepeatedLines } from './dropRepeatedLines';
import { dropSuffixOverlap } from './dropSuffixOverlap';
import { fillInLine } from './fillInLine';
import { keepSurrogatePairs } from './keepSurrogatePairs';
import { normalizeIndentation } from './normalizeIndentation';
import { replaceClosers } from './replaceClosers';
import { stopAtBlockEnd } from './stopAtBlockEnd';
import { stopAtDedent } from './stopAtDedent';
import { stopAtOwnBlockEnd } from './stopAtOwnBlockEnd';
import { trimControlCharacter } from './trimControlCharacter';
import { trimIncompleteCharacter } from './trimIncompleteCharacter';
import { trimLeadingSpace } from './trimLeadingSpace';
import { trimTrailingWhitespace } from './trimTrailingWhitespace';
import type { Filter, RangeFilter, Suggestion } from './types';

export type { Filter, RangeFilter, Suggestion } from './types';

export const FILTERS: readonly Filter[] = [
  // Never show half a character, or one nobody types.
  trimIncompleteCharacter,
  trimControlCharacter,
  keepSurrogatePairs,
  // Fit the text to where it goes.
  trimLeadingSpace,
  normalizeIndentation,
  // Where a block ends.
  stopAtBlockEnd,
  stopAtOwnBlockEnd,
  stopAtDedent,
  // What would be said twice.
  fillInLine,
  dropRepeatedLines,
  trimTrailingWhitespace,
  dropSuffixOverlap,
  dropDuplicateClosingLine,
  trimTrailingWhitespace,
  dropBlank,
];

export const RANGE_FILTER: RangeFilter = replaceClosers;

/** The text filters over one completion (the range left out). */
export function postProcess(completion: string, snapshot: DocumentSnapshot, filters: readonly Filter[] = FILTERS): string | undefined {
  let text: string | undefined = completion;
  for (const f of filters) {
    if (text === undefined) return undefined;
    text = f(text, snapshot);
  }
  return text;
}

/** The whole chain: the text filters, then what the text replaces after the cursor. */
export function postProcessSuggestion(completion: string, snapshot: DocumentSnapshot): Suggestion | undefined {
  const text = postProcess(completion, snapshot);
  return text === undefined ? undefined : RANGE_FILTER(text, snapshot);
}
