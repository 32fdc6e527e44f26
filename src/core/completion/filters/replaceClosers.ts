// The rest of the cursor's line is closers or punctuation (`)`, `")`, `);`, `]`, `}`) and the
// completion writes them again: the suggestion replaces that rest instead of inserting before
// it, so accepting gives `f(a, b)` and not `f(a, b))`. A closer counts as re-emitted when the
// completion closes the same bracket or string it closes (both are scanned from the cursor):
// in `print(├len(x)┤)` the completion's `)` closes its own `(`, and nothing is replaced; in
// `println("├Hi " + name);┤");` it closes the string and the call, then writes the `;`, and all
// three characters are replaced. Only characters from the cursor on are replaced. A block that
// closes none of them ends with a line break, so they go on their own line below it
// (`{├}` + "\n  return 1;" gives `{\n  return 1;\n}`, not `return 1;}`), unless its last line
// closes, at the cursor line's indentation, a block of its own (`forEach(├(x) => {…}┤)`: `})`).
// A first line that closes the cursor's bracket and then goes another way than the rest
// (`foo(├a, b) {┤);`) ends right after what they share: `foo(a, b);`, not `foo(a, b) {;`.
import { scanCode } from '../codeScan';
import { restAllowsSuggestion } from '../completionPolicy';
import { cursorContext, indentWidth, leadingWhitespace } from '../cursorContext';
import { isClosingLine } from '../lines';
import type { RangeFilter } from './types';

export const replaceClosers: RangeFilter = (completion, snapshot) => {
  const ctx = cursorContext(snapshot);
  const rest = ctx.after.trimEnd();
  const none = { text: completion, replaceSuffixChars: 0 };
  if (rest.trim().length === 0 || !restAllowsSuggestion(rest)) return none;
  const mine = scanCode(completion, ctx.languageId, ctx.state).pops;
  const theirs = scanCode(rest, ctx.languageId, ctx.state).pops;
  const j = Math.min(mine.length, theirs.length);
  if (j > 0) {
    // Both close the cursor's brackets innermost first: the j-th closes the same one. After it,
    // what both write (`;`, ` {`) is replaced too.
    const after = rest.slice(theirs[j - 1]);
    const written = completion.slice(mine[j - 1]);
    let common = 0;
    while (common < after.length && common < written.length && after[common] === written[common]) common++;
    // On the cursor's line, after the closer, the completion goes another way than the rest
    // (` {` where the line goes on with `;`): it ends where they part, the rest stays.
    const writtenLine = written.split('\n', 1)[0];
    if (!completion.slice(0, mine[j - 1]).includes('\n') && common < after.length && writtenLine.slice(common).trim().length > 0) {
      return { text: completion.slice(0, mine[j - 1] + common), replaceSuffixChars: theirs[j - 1] + common };
    }
    return { text: completion, replaceSuffixChars: theirs[j - 1] + common };
  }
  // Nothing of the cursor's closed by both: punctuation or a quote the completion ends with
  // (`;` after `foo(a)`, the `"` of a string it wrote whole), when that rest closes nothing either.
  if (theirs.length > 0) {
    if (!completion.includes('\n') || !/^[)\]}]/.test(rest.trimStart())) return none;
    // A block whose last line closes what its first line opened, at the cursor line's indentation
    // (`(x) => {` … `}` before `)`): the rest goes on after that line, as it went on after the cursor.
    const last = completion.slice(completion.lastIndexOf('\n') + 1);
    if (isClosingLine(last) && indentWidth(last) <= indentWidth(ctx.before)) return none;
    return { text: `${completion}\n${leadingWhitespace(ctx.before)}`, replaceSuffixChars: 0 };
  }
  for (let k = rest.length; k > 0; k--) {
    const piece = rest.slice(0, k).trimStart();
    if (!/\s/.test(rest[k - 1]) && completion.endsWith(piece)) return { text: completion, replaceSuffixChars: k };
  }
  return none;
};
