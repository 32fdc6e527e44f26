// The post-processing chain, in order; a filter that drops a completion ends it.
import type { DocumentSnapshot } from '../snapshot';
import { dropBlank } from './dropBlank';
import { dropSuffixOverlap } from './dropSuffixOverlap';
import { trimIncompleteCharacter } from './trimIncompleteCharacter';
import { trimTrailingWhitespace } from './trimTrailingWhitespace';
import type { Filter } from './types';

export const FILTERS: readonly Filter[] = [trimIncompleteCharacter, trimTrailingWhitespace, dropSuffixOverlap, dropBlank];

export function postProcess(completion: string, snapshot: DocumentSnapshot, filters: readonly Filter[] = FILTERS): string | undefined {
  let text: string | undefined = completion;
  for (const f of filters) {
    if (text === undefined) return undefined;
    text = f(text, snapshot);
  }
  return text;
}

/** Post-processes each completion and drops empty ones and duplicates. */
export function postProcessAll(completions: readonly string[], snapshot: DocumentSnapshot): string[] {
  const out: string[] = [];
  for (const c of completions) {
    const text = postProcess(c, snapshot);
    if (text !== undefined && !out.includes(text)) out.push(text);
  }
  return out;
}
