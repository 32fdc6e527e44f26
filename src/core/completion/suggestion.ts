// Raw model output -> what the editor shows. One function for the extension's fresh answers,
// its typed-ahead answers and `ghostwriter postprocess`: the mid-line gate, the line/block
// decision, the stops the decoder applies (src/core/completion/stops/, replayed over the text: a no-op on
// text the decoder already cut, and the same cut on text decoded without them, such as the
// look-ahead's), then the filters; line endings follow the document.
import { decide, type LineMode } from './completionPolicy';
import { cursorContext } from './cursorContext';
import { postProcessSuggestion, type Suggestion } from './filters';
import { followsBlock } from './requestContext';
import { replayStops } from './stops';
import { createSnapshot, type DocumentSnapshot } from '../snapshot';

export type { Suggestion } from './filters';

/** The suggestions to show for raw completions at the snapshot's cursor: cleaned, deduplicated, in order. */
export function suggestAll(raws: readonly string[], snapshot: DocumentSnapshot, mode: LineMode, fim = false): Suggestion[] {
  const policy = decide(snapshot, mode, fim);
  if (policy === undefined) return [];
  const ctx = cursorContext(snapshot);
  // Filters see '\n' only; the document's line ending comes back at the end.
  const crlf = /\r\n/.test(snapshot.prefix) || /\r\n/.test(snapshot.suffix);
  const doc = crlf ? createSnapshot({ ...snapshot, prefix: lf(snapshot.prefix), suffix: lf(snapshot.suffix) }) : snapshot;
  const out: Suggestion[] = [];
  for (const raw of raws) {
    let text = lf(raw);
    const stop = replayStops(text, { ...cursorContext(doc), followBlock: followsBlock(doc, mode) }, policy);
    if (stop) text = text.slice(0, stop.cutAt);
    const s = postProcessSuggestion(text, doc);
    if (!s) continue;
    const shown = ctx.eol === '\r\n' ? { ...s, text: s.text.replace(/\n/g, '\r\n') } : s;
    if (!out.some((o) => o.text === shown.text && o.replaceSuffixChars === shown.replaceSuffixChars)) out.push(shown);
  }
  return out;
}

export function suggest(raw: string, snapshot: DocumentSnapshot, mode: LineMode, fim = false): Suggestion | undefined {
  return suggestAll([raw], snapshot, mode, fim)[0];
}

function lf(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
