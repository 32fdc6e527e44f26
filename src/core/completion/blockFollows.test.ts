import { strict as assert } from 'node:assert';
import { blockMayFollow, opensOwnBlock } from './blockFollows';
import { parseCursorCase } from './filters/cursorCase';
import { restAllowsSuggestion } from './completionPolicy';
import { requestContext } from './requestContext';

/** Whether the completion's first line, written at the cursor of `doc` (cursor notation), opens a block of its own. */
const opens = (doc: string, languageId: string) => {
  const { snapshot, completion } = parseCursorCase(doc, languageId);
  return opensOwnBlock(completion, requestContext(snapshot));
};

describe('a first line that opens a block of its own', () => {
  const yes: readonly (readonly [string, string])[] = [
    ['func parseHeader├(b []byte) error {┤', 'go'],
    ['.card├ {┤', 'css'],
    ['const f = (a)├ =>┤', 'javascript'],
    ['for x in xs├:┤', 'python'],
    ['jobs├:┤', 'yaml'],
    ['if x > 0├ then┤', 'lua'],
    ['items.each├ do |x|┤', 'ruby'],
    ['  <nav├ class="top">┤', 'html'],
    ['const x = ├foo(┤', 'javascript'],
    // It closes the cursor's bracket, then opens its own.
    ['function sum(a:├ number): number {┤)', 'typescript'],
  ];
  for (const [doc, languageId] of yes) it(`[${languageId}] ${JSON.stringify(doc)}`, () => assert.ok(opens(doc, languageId)));

  const no: readonly (readonly [string, string])[] = [
    ['x = ├compute(1)┤', 'python'],
    ['x = 1├  # see {┤', 'python'],
    ['s = ├"{"┤', 'python'],
    ['d = {├"a":┤', 'javascript'],
    ['<p>├<br>┤', 'html'],
    ['<p>├<b>x</b>┤', 'html'],
    ['x = 1├:┤', 'javascript'],
    ['print(├"x")┤)', 'python'],
  ];
  for (const [doc, languageId] of no) it(`[${languageId}] not ${JSON.stringify(doc)}`, () => assert.ok(!opens(doc, languageId)));
});

describe('where a block may follow a line', () => {
  const may = (doc: string, languageId = 'javascript') => {
    const { snapshot } = parseCursorCase(doc, languageId);
    const ctx = requestContext(snapshot);
    return blockMayFollow(ctx, restAllowsSuggestion(ctx.after));
  };
  it('at the end of a line, and before closers', () => {
    assert.ok(may('const obj = ├┤'));
    assert.ok(may('items.forEach(├┤)'));
  });
  it('not before other text (a fill-in-line is one line)', () => assert.ok(!may('print(├┤, file=f)', 'python')));
  it('not in a comment or a string', () => {
    assert.ok(!may('// note├┤'));
    assert.ok(!may('s = "├┤'));
  });
  it('not when the lines below are already its body', () => assert.ok(!may('class A {\n  run()├┤\n    go();\n  }\n}', 'typescript')));
});
