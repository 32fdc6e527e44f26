import { strict as assert } from 'node:assert';
import { commentStyle, extraContextSnippets, formatSnippet } from './extraContext';
import { createSnapshot, type ContextSnippet } from './snapshot';

const snippet = (text: string, path = 'src/a.ts', kind: ContextSnippet['kind'] = 'editor'): ContextSnippet => ({ path, text, kind });

describe('extra context as comments', () => {
  it('line comments in the language, a header naming the file, blank lines kept bare and trimmed at the ends', () => {
    assert.equal(formatSnippet(snippet('\nconst a = 1;  \n\nexport function f() {}\n\n'), commentStyle('typescript')!), '// From src/a.ts:\n// const a = 1;\n//\n// export function f() {}\n');
    assert.equal(formatSnippet(snippet('x = 1\n', 'a.py', 'edit'), commentStyle('python')!), '# Edited recently in a.py:\n# x = 1\n');
    assert.equal(formatSnippet(snippet('SELECT 1;', 'q.sql'), commentStyle('sql')!), '-- From q.sql:\n-- SELECT 1;\n');
  });

  it('block comments where the language has no line comment, with the snippet\'s own closers broken up', () => {
    assert.equal(formatSnippet(snippet('a { color: red; } /* note */', 'a.css'), commentStyle('css')!), '/* From a.css:\na { color: red; } /* note * /\n*/\n');
    assert.equal(formatSnippet(snippet('<p>hi</p> <!-- x -->', 'i.html'), commentStyle('html')!), '<!-- From i.html:\n<p>hi</p> <!-- x -- >\n-->\n');
  });

  it('CRLF snippets become LF lines; a path with a newline stays on the header line', () => {
    assert.equal(formatSnippet(snippet('a\r\nb\r\n', 'x\ny.go'), commentStyle('go')!), '// From x y.go:\n// a\n// b\n');
  });

  it('no comment syntax, no extra context', () => {
    assert.equal(commentStyle('plaintext'), undefined);
    assert.equal(commentStyle('json'), undefined);
    assert.equal(commentStyle('some-unknown-language'), undefined);
  });

  it('drops empty snippets, snippets already around the cursor (CRLF or not) and snippets inside an earlier one, keeping the order', () => {
    const snap = createSnapshot({
      prefix: 'import os\r\n\r\ndef main():\r\n    ',
      suffix: '\r\n\r\nif __name__ == "__main__":\r\n    main()\r\n',
      languageId: 'python',
      path: '/w/main.py',
      version: 1,
      extraContext: [
        snippet('def helper():\n    return 1\n', 'h.py'),
        snippet('   \n', 'empty.py'),
        snippet('if __name__ == "__main__":\n    main()', 'main.py', 'edit'),
        snippet('    return 1', 'h.py'),
        snippet('class C:\n    pass\n', 'c.py'),
      ],
    });
    assert.deepEqual(
      extraContextSnippets(snap).map((s) => s.snippet.path),
      ['h.py', 'c.py'],
    );
  });

  it('the snapshot keeps its snippets frozen: data only', () => {
    const snap = createSnapshot({ prefix: '', suffix: '', languageId: 'python', path: 'p', version: 1, extraContext: [snippet('x')] });
    assert.ok(Object.isFrozen(snap.extraContext));
    assert.ok(Object.isFrozen(snap.extraContext![0]));
    assert.deepEqual(JSON.parse(JSON.stringify(snap)).extraContext, [{ path: 'src/a.ts', text: 'x', kind: 'editor' }]);
  });
});
