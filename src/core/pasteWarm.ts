// A paste (or any large insertion: an undo, a generated block) brings hundreds of new tokens, and
// the user usually types right after it, so the editor's first request after the paste would
// prefill all of them. Warming at once, instead of after the cursor settles, lets that prefill
// run while the user types and VS Code waits to ask; the request then finds them cached.

/** An insertion at least this long is warmed at once… */
export const PASTE_MIN_CHARS = 200;
/** …and so is one of this many lines or more. */
export const PASTE_MIN_LINES = 4;

/** Whether a document change inserted enough text to warm the cursor's prompt at once. */
export function isLargeInsertion(changes: readonly { readonly text: string }[]): boolean {
  return changes.some((c) => c.text.length >= PASTE_MIN_CHARS || lineBreaks(c.text) >= PASTE_MIN_LINES - 1);
}

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
