// Test cases for the stops in cursor notation (src/core/completion/filters/cursorCase.ts): the document
// with `├text┤` at the cursor, the text the stop keeps (undefined: it does not stop). Each case
// is decoded one character at a time, three at a time and all at once (a replay): the three
// must stop at the same place, and one character at a time it must stop exactly when it has
// read `seenAt` characters.
import { strict as assert } from 'node:assert';
import { parseCursorCase } from '../filters/cursorCase';
import { requestContext, type RequestContext } from '../requestContext';
import type { TextCut, TextStop } from './types';

export type StopCase = readonly [doc: string, kept: string | undefined, languageId?: string];

function decode(stop: TextStop, text: string, step: number): { cut: TextCut; read: number } | undefined {
  for (let n = Math.min(step, text.length); ; n = Math.min(n + step, text.length)) {
    const cut = stop.check(text.slice(0, n));
    if (cut) return { cut, read: n };
    if (n >= text.length) return undefined;
  }
}

export function describeStop(name: string, make: (ctx: RequestContext) => TextStop, cases: readonly StopCase[]): void {
  describe(`stop ${name}`, () => {
    for (const [doc, kept, languageId] of cases) {
      it(`${languageId ? `[${languageId}] ` : ''}${JSON.stringify(doc)}`, () => {
        const { snapshot, completion } = parseCursorCase(doc, languageId);
        const ctx = requestContext(snapshot);
        const byChar = decode(make(ctx), completion, 1);
        const byChunk = decode(make(ctx), completion, 3);
        const whole = make(ctx).check(completion);
        assert.equal(byChar && completion.slice(0, byChar.cut.cutAt), kept);
        assert.deepEqual(byChunk?.cut, byChar?.cut, 'three characters a step stop where one does');
        assert.deepEqual(whole, byChar?.cut, 'the replay over the whole text stops where decoding does');
        if (byChar) assert.equal(byChar.read, byChar.cut.seenAt, 'it stops as soon as it has read seenAt characters');
      });
    }
  });
}
