import * as assert from 'node:assert/strict';
import { SHORTEST_WAIT_MS, TypingRhythm } from './typingRhythm';

/** A rhythm that saw keys at these gaps (ms), starting at t = 1000. */
function typed(gaps: readonly number[]): TypingRhythm {
  const rhythm = new TypingRhythm();
  let t = 1000;
  rhythm.note(t);
  for (const g of gaps) rhythm.note((t += g));
  return rhythm;
}

describe('the wait for a pause follows the typist', () => {
  it('the setting until enough keys were seen', () => {
    assert.equal(new TypingRhythm().waitMs(150), 150);
    assert.equal(typed([80, 90, 100]).waitMs(150), 150);
  });

  it('a fast typist waits a little longer than their slow gaps, not the whole setting', () => {
    // Gaps of 60–120 ms: the 90th percentile is 114, with the margin 125.
    const gaps = Array.from({ length: 24 }, (_, i) => 60 + (i * 60) / 23);
    const wait = typed(gaps).waitMs(150);
    assert.ok(wait > 114 && wait < 150, `${wait}`);
    assert.ok(gaps.filter((g) => g >= wait).length === 0, 'no gap of the burst is taken for a pause');
  });

  it('never more than the setting, never less than the floor', () => {
    assert.equal(typed(Array(20).fill(400)).waitMs(150), 150, 'a slow typist: the setting caps it');
    assert.equal(typed(Array(20).fill(20)).waitMs(150), SHORTEST_WAIT_MS);
    assert.equal(typed(Array(20).fill(100)).waitMs(0), 0, 'a setting of 0 turns the wait off');
  });

  it('pauses are not gaps: reading for a second does not lengthen the wait', () => {
    const rhythm = typed([...Array(12).fill(80), 2000, 900, ...Array(4).fill(80)]);
    assert.equal(rhythm.waitMs(150), 88);
  });

  it('recent gaps count, old ones drop out', () => {
    const rhythm = typed([...Array(24).fill(130), ...Array(24).fill(70)]);
    assert.equal(rhythm.waitMs(150), 77);
  });
});
