// The line policy's stop (src/core/completion/lineStop.ts): a single line ends at its line break, a block
// at its first blank line. Its answer changes only when a line break arrives, so only then is
// the text looked at again. A single line whose first line opens a block of its own goes on as
// a block, when the place lets it (`follows`, src/core/completion/blockFollows.ts): decided once,
// when that line's break arrives, so decoding and a replay decide the same.
import { newlineStopAt } from '../lineStop';
import type { NewlinePolicy } from '../../protocol';
import { never, type TextStop } from './types';

/** Whether a single line's first line (`atCursor`: it starts at the cursor, else on the next line) goes on into its block. */
export type FollowsBlock = (firstLine: string, atCursor: boolean) => boolean;

/** `midLine`: the cursor has text after it on its line (a leading line break ends the text too). */
export function newlineStop(policy: NewlinePolicy, midLine = false, follows?: FollowsBlock): TextStop {
  const reason = policy === 'singleLine' ? 'newline' : 'blank-line';
  if (policy === 'none') return never(reason);
  let seen = 0;
  /** The first line opened a block: the text ends as a block does. */
  let block: boolean | undefined;
  return {
    reason,
    check(text) {
      const nl = text.indexOf('\n', seen);
      seen = text.length;
      if (nl < 0) return undefined;
      const single = newlineStopAt(text, policy, { midLine });
      if (policy !== 'singleLine' || !follows || !single) return single;
      if (block === undefined) {
        const lead = midLine ? 0 : (/^[ \t]*\r?\n/.exec(text)?.[0].length ?? 0);
        block = follows(text.slice(lead, single.cutAt), lead === 0);
      }
      return block ? newlineStopAt(text, 'multiLine') : single;
    },
  };
}
