// The tokenizer's first encoding of new text runs cold code (its pre-tokenizer and merges not yet
// compiled by V8): 84 lines of JavaScript (940 tokens) took 19–20 ms on an idle machine, 5.2–5.6
// ms after this sample had been encoded (which costs 17–21 ms at load), and the first prompt
// after a paste in real VS Code spent 199 ms there while the editor's language service read the
// pasted file on the same cores. Encoding a little code of several languages at load moves that
// cost out of the first request.
import type { TextTokenizer } from '../core/tokenizer';

const SAMPLE = `import { readFile } from 'node:fs/promises';
export async function loadConfig(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  return JSON.parse(text) as Record<string, unknown>;
}
const items = [1, 2, 3].map((x) => x * 2).filter((x) => x > 2);
for (let i = 0; i < items.length; i++) { process.stdout.write(\`item \${i}: \${items[i]}\\n\`); }
class Cache<K, V> { private readonly map = new Map<K, V>(); get(key: K): V | undefined { return this.map.get(key); } }
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Process some files.")
    parser.add_argument("--verbose", action="store_true", help="print more")
    return parser.parse_args(argv)

if __name__ == "__main__":
    for name, value in sorted(vars(parse_args()).items()):
        print(f"{name} = {value!r}")
fn main() -> Result<(), Box<dyn std::error::Error>> { let v: Vec<u32> = (0..10).collect(); println!("{:?}", v); Ok(()) }
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { if err := s.handle(w, r); err != nil { http.Error(w, err.Error(), 500) } }
public static void main(String[] args) { System.out.println("Hello, " + args.length); }
SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '7 days' ORDER BY name;
.container > .item:hover { margin: 0 auto; padding: 12px 16px; color: #333; }
<div class="row"><span id="total">{{ total }}</span></div>
# Notes: TODO, FIXME; numbers 0x1f 3.14 1e-9 -42; symbols => != === <= >= && || ?? ::
`;

/** Encodes the sample once; returns its token count, so callers can log what was done. */
export function warmTokenizer(tokenizer: TextTokenizer): number {
  return tokenizer.encode(SAMPLE).length;
}
