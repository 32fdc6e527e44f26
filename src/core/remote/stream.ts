// Incremental framing of a streamed HTTP body: Server-Sent Events (llama.cpp, vLLM, TGI, LM Studio)
// and newline-delimited JSON (Ollama). A network chunk may end anywhere, in the middle of a
// line or of a UTF-8 character: both decoders keep the unfinished tail until the next chunk.
// SSE as the WHATWG spec defines it (https://html.spec.whatwg.org/multipage/server-sent-events.html):
// lines end in \n, \r\n or \r; `data:` lines of one event are joined with \n; a blank line ends the
// event; lines starting with ':' are comments (keep-alives); other fields (event, id, retry) are
// not used by these engines' completion routes and are ignored.
import { StringDecoder } from 'node:string_decoder';

/** Lines from byte chunks; the last unfinished line waits for more. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';
  /** A chunk ended on \r: a \n starting the next one belongs to the same line end. */
  private pendingCr = false;

  push(chunk: Uint8Array | string): string[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk as Buffer);
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    const all = this.tail + text;
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < all.length; i++) {
      const c = all.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      lines.push(all.slice(start, i));
      if (c === 13) {
        if (i + 1 < all.length) {
          if (all.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.tail = all.slice(start);
    return lines;
  }

  /** What is left when the body ends (a last line without its line end). */
  end(): string[] {
    const rest = this.tail + this.decoder.end();
    this.tail = '';
    return rest === '' ? [] : [rest];
  }
}

/** One SSE event's data (the `data:` lines joined). */
export class SseDecoder {
  private readonly lines = new LineSplitter();
  private data: string[] = [];

  push(chunk: Uint8Array | string): string[] {
    return this.take(this.lines.push(chunk));
  }

  /** The body ended: an event without its blank line still counts (some servers close right after `data:`). */
  end(): string[] {
    const events = this.take(this.lines.end());
    if (this.data.length > 0) events.push(this.data.join('\n'));
    this.data = [];
    return events;
  }

  private take(lines: readonly string[]): string[] {
    const events: string[] = [];
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0) events.push(this.data.join('\n'));
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      if (field !== 'data') continue;
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      this.data.push(value);
    }
    return events;
  }
}

/** One JSON text per non-blank line. */
export class NdjsonDecoder {
  private readonly lines = new LineSplitter();

  push(chunk: Uint8Array | string): string[] {
    return this.lines.push(chunk).filter((l) => l.trim() !== '');
  }

  end(): string[] {
    return this.lines.end().filter((l) => l.trim() !== '');
  }
}

export type Framing = 'sse' | 'ndjson';

export function decoderFor(framing: Framing): SseDecoder | NdjsonDecoder {
  return framing === 'sse' ? new SseDecoder() : new NdjsonDecoder();
}
