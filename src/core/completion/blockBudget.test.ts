import { strict as assert } from 'node:assert';
import { BLOCK_BUDGET_FACTOR, MAX_TOKENS, tokenBudget } from './blockBudget';

describe('token budget of a block', () => {
  it('a line keeps the line budget', () => assert.equal(tokenBudget(32, 'singleLine', false), 32));
  it('a block, or a line a block may follow, gets several lines\' budgets', () => {
    assert.equal(tokenBudget(32, 'multiLine', false), 32 * BLOCK_BUDGET_FACTOR);
    assert.equal(tokenBudget(32, 'singleLine', true), 32 * BLOCK_BUDGET_FACTOR);
  });
  it('never above the most a suggestion may have, never below the line budget', () => {
    assert.equal(tokenBudget(200, 'multiLine', false), MAX_TOKENS);
    assert.equal(tokenBudget(256, 'multiLine', false), 256);
  });
  it('no policy (the raw CLI): the budget as given', () => assert.equal(tokenBudget(32, 'none', true), 32));
});
