// Test cases in cursor notation: "foo(├a, b)┤)" is a document whose cursor sits after "foo(",
// with the model's completion "a, b)" between the marks; the rest is the suffix.
import { createSnapshot, type DocumentSnapshot } from '../snapshot';

export function parseCursorCase(text: string, languageId = 'plaintext'): { snapshot: DocumentSnapshot; completion: string } {
  const open = text.indexOf('├');
  const close = text.indexOf('┤');
  if (open < 0 || close < open) throw new Error(`cursor case needs ├completion┤: ${JSON.stringify(text)}`);
  return {
    snapshot: createSnapshot({ prefix: text.slice(0, open), suffix: text.slice(close + 1), languageId, path: 'case.txt', version: 1 }),
    completion: text.slice(open + 1, close),
  };
}
