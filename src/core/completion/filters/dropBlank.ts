// Nothing but whitespace is no suggestion.
import type { Filter } from './types';

export const dropBlank: Filter = (completion) => (completion.trim().length === 0 ? undefined : completion);
