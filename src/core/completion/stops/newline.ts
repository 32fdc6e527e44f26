// The line policy's stop (src/core/completion/lineStop.ts): a single line ends at its line break, a block
// at its first blank line. Its answer changes only when a line break arrives, so only then is
// the text looked at again.
import { newlineStopAt } from '../lineStop';
import type { NewlinePolicy } from '../../protocol';
import { never, type TextStop } from './types';

/** `midLine`: the cursor has text after it on its line (a leading line break ends the text too). */
export function newlineStop(policy: NewlinePolicy, midLine = false): TextStop {
  const reason = policy === 'singleLine' ? 'newline' : 'blank-line';
  if (policy === 'none') return never(reason);
  let seen = 0;
  return {
    reason,
    check(text) {
      const nl = text.indexOf('\n', seen);
      seen = text.length;
      return nl < 0 ? undefined : newlineStopAt(text, policy, { midLine });
    },
  };
}
