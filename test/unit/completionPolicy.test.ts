import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide, restAllowsSuggestion } from '../../src/core/completion/completionPolicy';
import { newlinePolicy } from '../../src/core/completionService';
import { shortReason } from '../../src/core/engineState';
import { createSnapshot } from '../../src/core/snapshot';
import { loadTokenizer } from '../../src/core/tokenizer';

const at = (prefix: string, suffix = '', languageId = 'python') => createSnapshot({ prefix, suffix, languageId, path: 'x', version: 1 });
/** The decision at the cursor of a document written with `├` (the suffix is what follows it). */
const auto = (doc: string, languageId: string) => {
  const i = doc.indexOf('├');
  return decide(at(doc.slice(0, i), doc.slice(i + 1), languageId), 'auto');
};

describe('mid-line gate', () => {
  it('closers, quotes and punctuation after the cursor allow a suggestion', () => {
    for (const rest of ['', '  ', ')', '))', '")', "']", '});', ') {', '`;', ',', ':', '.', '\r']) assert.ok(restAllowsSuggestion(rest), JSON.stringify(rest));
  });
  it('a word or an operator after the cursor does not', () => {
    for (const rest of ['foo', 'x)', ' + 1', '(a)', '= 2', 'é', '🎉']) assert.ok(!restAllowsSuggestion(rest), JSON.stringify(rest));
  });
  it('no suggestion in the middle of a word, whatever the line mode', () => {
    for (const mode of ['auto', 'singleLine', 'multiLine'] as const) assert.equal(decide(at('x = fo', 'o(1)'), mode), undefined);
  });
  it('the decoder is still given a policy (single line) where the gate says no', () => assert.equal(newlinePolicy(at('x = fo', 'o'), 'auto'), 'singleLine'));
});

describe("lineMode 'auto'", () => {
  it('middle of a line: single line', () => assert.equal(newlinePolicy(at('print(', ')'), 'auto'), 'singleLine'));
  it('end of a statement: single line', () => assert.equal(newlinePolicy(at('x = compute'), 'auto'), 'singleLine'));
  it('after a block opener: multi-line', () => {
    assert.equal(newlinePolicy(at('def f(n):'), 'auto'), 'multiLine');
    assert.equal(newlinePolicy(at('function f(n) {', '', 'javascript'), 'auto'), 'multiLine');
    assert.equal(newlinePolicy(at('x = [', '', 'javascript'), 'auto'), 'multiLine');
  });
  it('an empty or indented empty line: multi-line', () => assert.equal(newlinePolicy(at('def f():\n    '), 'auto'), 'multiLine'));
  it('explicit modes win', () => {
    assert.equal(newlinePolicy(at('def f(n):'), 'singleLine'), 'singleLine');
    assert.equal(newlinePolicy(at('print(', ')'), 'multiLine'), 'multiLine');
  });

  const cases: readonly (readonly [string, string, 'singleLine' | 'multiLine'])[] = [
    // Python
    ['python', 'class A(Base):├', 'multiLine'],
    ['python', 'def f(n)├', 'multiLine'],
    ['python', 'x = compute(a)├', 'singleLine'],
    ['python', '# the steps:├', 'singleLine'],
    ['python', 'def f():\n    """├', 'multiLine'],
    ['python', 's = "abc├', 'singleLine'],
    ['python', 'd = {\n    "a":├', 'multiLine'],
    // JavaScript / TypeScript / Vue
    ['javascript', 'const f = (a) =>├', 'multiLine'],
    ['javascript', 'function add(a, b)├', 'multiLine'],
    ['typescript', 'if (x > 0)├', 'multiLine'],
    ['typescript', '} else├', 'multiLine'],
    ['typescript', 'class A {\n  run(n: number): void├', 'multiLine'],
    ['vue', 'export default {\n  methods: {\n    save()├', 'multiLine'],
    ['javascript', 'console.log(x)├', 'singleLine'],
    ['javascript', 'const q = `├', 'multiLine'],
    ['javascript', 'function f() {├}', 'multiLine'],
    ['javascript', 'foo(├)', 'singleLine'],
    ['javascript', '// returns {├', 'singleLine'],
    ['javascript', '/**├', 'multiLine'],
    // Go
    ['go', 'func main()├', 'multiLine'],
    ['go', '\tif err != nil├', 'multiLine'],
    ['go', '\tfor i := 0; i < n; i++├', 'multiLine'],
    ['go', 'type Point struct├', 'multiLine'],
    ['go', '\tx := f()├', 'singleLine'],
    // Rust
    ['rust', 'fn main()├', 'multiLine'],
    ['rust', 'pub fn parse(s: &str) -> Result<u32, String>├', 'multiLine'],
    ['rust', 'impl Display for Point├', 'multiLine'],
    ['rust', '    match x├', 'multiLine'],
    ['rust', "    let x: &'a str = y;├", 'singleLine'],
    // Java, C, PHP
    ['java', 'public static void main(String[] args)├', 'multiLine'],
    ['java', 'public class Main├', 'multiLine'],
    ['java', '    return foo(x)├', 'singleLine'],
    ['java', '    System.out.println(x);├', 'singleLine'],
    ['c', 'int main(void)├', 'multiLine'],
    ['c', 'static char *dup(const char *s)├', 'multiLine'],
    ['c', 'struct point├', 'multiLine'],
    ['c', '  printf("%d", x);├', 'singleLine'],
    ['php', 'function total($items)├', 'multiLine'],
    ['php', '    public function count(): int├', 'multiLine'],
    ['php', '    echo foo($a)├', 'singleLine'],
    // Data and prose
    ['yaml', 'jobs:├', 'multiLine'],
    ['yaml', '    run: |├', 'multiLine'],
    ['yaml', 'name: ci├', 'singleLine'],
    ['json', '  "a":├', 'singleLine'],
    ['json', '  "a": {├', 'multiLine'],
    ['css', '  color:├', 'singleLine'],
    ['css', '.button {├', 'multiLine'],
    ['sql', 'SELECT *├', 'singleLine'],
    ['sql', 'CREATE TABLE users (├', 'multiLine'],
    ['markdown', 'The steps are:├', 'multiLine'],
    ['markdown', "It's a sentence├", 'singleLine'],
    // The next line is indented deeper: the cursor's line heads a block whose body is already
    // there, so the header is completed on its line (the body is not written a second time).
    ['python', 'for x in xs├\n    print(x)', 'singleLine'],
    ['plaintext', 'items├\n  - a', 'singleLine'],
    ['typescript', 'class A {\n  run()├\n    go();\n  }\n}', 'singleLine'],
  ];
  for (const [languageId, doc, expected] of cases) {
    it(`[${languageId}] ${JSON.stringify(doc)}: ${expected}`, () => assert.equal(auto(doc, languageId), expected));
  }
});

describe('status bar reason', () => {
  it('keeps the first clause, drops the path, caps the length', async () => {
    // The message the tokenizer loader really gives for a folder without tokenizer.json.
    const err = await loadTokenizer(mkdtempSync(join(tmpdir(), 'gw-empty-'))).catch((e: Error) => e);
    assert.ok(err instanceof Error);
    assert.equal(shortReason(err.message), 'The model folder has no tokenizer.json');
    assert.equal(shortReason('No model chosen: run "Ghostwriter: Choose Model and Temperature".'), 'No model chosen');
    assert.equal(shortReason('x'.repeat(60)).length, 48);
  });
});
