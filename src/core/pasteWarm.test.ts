import * as assert from 'node:assert/strict';
import { isLargeInsertion, PASTE_MIN_CHARS } from './pasteWarm';

describe('a large insertion warms the prompt at once', () => {
  it('a paste of a file or of a few lines does', () => {
    assert.equal(isLargeInsertion([{ text: 'x'.repeat(PASTE_MIN_CHARS) }]), true);
    assert.equal(isLargeInsertion([{ text: 'a\nb\nc\nd' }]), true, 'four short lines');
    assert.equal(isLargeInsertion([{ text: '' }, { text: 'line\n'.repeat(84) }]), true, 'any of the changes');
  });

  it('typing, a short paste, an auto-closed bracket or a deletion does not', () => {
    assert.equal(isLargeInsertion([{ text: 'a' }]), false);
    assert.equal(isLargeInsertion([{ text: '\n    ' }]), false, 'Enter with its indentation');
    assert.equal(isLargeInsertion([{ text: 'a\nb\nc' }]), false, 'three lines');
    assert.equal(isLargeInsertion([{ text: 'x'.repeat(PASTE_MIN_CHARS - 1) }]), false);
    assert.equal(isLargeInsertion([{ text: '' }]), false, 'a deletion inserts nothing');
    assert.equal(isLargeInsertion([]), false);
  });
});
