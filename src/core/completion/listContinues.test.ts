import { strict as assert } from 'node:assert';
import { cursorContext } from './cursorContext';
import { parseCursorCase } from './filters/cursorCase';
import { listContinues } from './listContinues';

const at = (doc: string, languageId: string) => listContinues(cursorContext(parseCursorCase(doc, languageId).snapshot));

describe('members that continue below', () => {
  const yes: readonly (readonly [string, string])[] = [
    ['type Config struct {\n\tName string├┤\n}', 'go'],
    ['interface User {\n  name: string;├┤\n}', 'typescript'],
    ['match x {\n    0 => 1,├┤\n}', 'rust'],
    ['const config = {\n  port: 80,├┤\n};', 'javascript'],
    ['xs = [\n    1,├┤\n]', 'python'],
    ['.card {\n  padding: 8px;├┤\n}', 'css'],
    ['services:\n  web:\n    image: nginx├┤', 'yaml'],
    ['# Tool\n\n## Install├┤', 'markdown'],
    ['Steps:\n\n- install├┤', 'markdown'],
  ];
  for (const [doc, languageId] of yes) it(`[${languageId}] ${JSON.stringify(doc)}`, () => assert.ok(at(doc, languageId)));

  const no: readonly (readonly [string, string])[] = [
    // A statement body is not a list.
    ['function f() {\n  return x;├┤\n}', 'javascript'],
    ['func f() {\n\tx := 1├┤\n}', 'go'],
    // Not the last member: the next line is another one.
    ['type Config struct {\n\tName string├┤\n\tPort int\n}', 'go'],
    // Text after the cursor, or a top-level YAML key.
    ['const c = {\n  port: ├80┤,\n};', 'javascript'],
    ['name: ci├┤', 'yaml'],
    // Prose, or a list item with more below.
    ['It is a tool├┤', 'markdown'],
    ['- install├┤\n- run', 'markdown'],
  ];
  for (const [doc, languageId] of no) it(`[${languageId}] not ${JSON.stringify(doc)}`, () => assert.ok(!at(doc, languageId)));
});
