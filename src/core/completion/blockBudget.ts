// A block needs more tokens than a line: ghostwriter.maxNewTokens is a line's budget, and a
// request that may become a block (the policy is a block, or a block may follow the line:
// RequestContext.followBlock) may grow to a few times that. It costs nothing on a line that
// stays a line (its line break ends it), and the suggestion grows in place anyway: an automatic
// trigger still answers after the same early tokens, the look-ahead decodes the rest.
import type { NewlinePolicy } from '../protocol';

/** How many lines' budgets a block gets. */
export const BLOCK_BUDGET_FACTOR = 3;
/** The most any suggestion may have (ghostwriter.maxNewTokens' maximum). */
export const MAX_TOKENS = 256;

/** The tokens a suggestion may grow to: `lineTokens` for a line, more for what may be a block. */
export function tokenBudget(lineTokens: number, policy: NewlinePolicy, followBlock: boolean): number {
  const block = policy === 'multiLine' || (policy === 'singleLine' && followBlock);
  return block ? Math.max(lineTokens, Math.min(MAX_TOKENS, lineTokens * BLOCK_BUDGET_FACTOR)) : lineTokens;
}
