// SSE and NDJSON framing with the body cut at every byte: the events are the same however the
// network splits it (mid-line, mid-CRLF, mid-character).
import { strict as assert } from 'node:assert';
import { NdjsonDecoder, SseDecoder } from '../../../src/core/remote/stream';

function allSplits(bytes: Buffer, decode: (parts: Buffer[]) => string[]): void {
  const whole = decode([bytes]);
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j += 3) {
      assert.deepEqual(decode([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]), whole, `split at ${i} and ${j}`);
    }
  }
}

const sse = (parts: Buffer[]) => {
  const d = new SseDecoder();
  return [...parts.flatMap((p) => d.push(p)), ...d.end()];
};
const ndjson = (parts: Buffer[]) => {
  const d = new NdjsonDecoder();
  return [...parts.flatMap((p) => d.push(p)), ...d.end()];
};

describe('remote stream framing', () => {
  it('SSE: data lines joined per event, comments and other fields skipped, LF, CRLF and CR line ends, split anywhere', () => {
    const text = ': keep-alive\r\ndata: {"content":"é→"}\r\n\r\nevent: x\nid: 3\ndata:{"a":1}\ndata: {"b":2}\n\ndata: [DONE]\r\r';
    const bytes = Buffer.from(text, 'utf8');
    assert.deepEqual(sse([bytes]), ['{"content":"é→"}', '{"a":1}\n{"b":2}', '[DONE]']);
    allSplits(bytes, sse);
  });

  it('SSE: a last event without its blank line still counts when the body ends', () => {
    assert.deepEqual(sse([Buffer.from('data: {"stop":true}')]), ['{"stop":true}']);
    assert.deepEqual(sse([Buffer.from('data: 1\n\ndata: 2\n')]), ['1', '2']);
  });

  it('NDJSON: one JSON text per line, blank lines skipped, a last line without its newline kept, split anywhere', () => {
    const bytes = Buffer.from('{"response":"ü"}\n\n{"response":"x","done":false}\r\n{"done":true}', 'utf8');
    assert.deepEqual(ndjson([bytes]), ['{"response":"ü"}', '{"response":"x","done":false}', '{"done":true}']);
    allSplits(bytes, ndjson);
  });
});
