// Post-processing (the stops replayed over the text, then the filters) costs about the same per
// line however long the completion is: a model that loops on blank lines or brackets must not
// stall the editor (issue 14: 1,000 blank lines took 1.2 s, 3,000 took 21 s). Each shape is
// timed at n and 4n lines; linear work grows 4×, quadratic 16×. The bound (10×) sits between,
// leaving room for the garbage collector, which costs the larger text more than its share; each
// figure is the median of several alternating runs, so a loaded machine slows both sizes alike,
// and a shape gets a second measurement before it fails (quadratic work fails both).
import { strict as assert } from 'node:assert';
import { postprocessCase, type PostprocessCase } from '../../src/cliPostprocess';

const N = 1500;
const RUNS = 5;
const BOUND = 10;
/** Each figure times the cases repeated until the smaller size takes about this long: a few ms are mostly noise. */
const MIN_MS = 40;

const SHAPES: Record<string, (i: number) => string> = {
  'blank lines': () => '',
  'lines of x': () => 'x',
  'deeply indented lines': (i) => `${' '.repeat(i % 200)}y = ${i % 3}`,
  'opening brackets': () => '{',
  'closing brackets': () => '}',
  'mixed brackets': (i) => `${'('.repeat(i % 7)}[)`,
  'a line every other line': (i) => (i % 2 ? 'a = 1;' : `b${i};`),
  'tabs and text': (i) => `${'\t'.repeat(i % 50)}z${i}`,
};

/** Places a completion may land, with and without the line/block decision made. */
const PLACES: readonly Omit<PostprocessCase, 'completion'>[] = [
  { filename: 'a.ts', languageId: 'typescript', prefix: 'function f() {\n  ', suffix: '\n}\n', mode: 'multi' },
  { filename: 'a.py', languageId: 'python', prefix: 'def f():\n    ', suffix: '\n' },
];

function completion(shape: (i: number) => string, lines: number, eol: string): string {
  return Array.from({ length: lines }, (_, i) => shape(i)).join(eol);
}

function millis(cases: readonly PostprocessCase[], reps = 1): number {
  const t = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) for (const c of cases) postprocessCase(c);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

describe('post-processing stays linear in the completion length', () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    for (const eol of ['\n', '\r\n']) {
      it(`${name}${eol === '\r\n' ? ', CRLF' : ''}: ${N} and ${4 * N} lines`, () => {
        const cases = (lines: number) => PLACES.map((p) => ({ ...p, completion: completion(shape, lines, eol) }));
        const small = cases(N);
        const large = cases(4 * N);
        const first = growth(small, large);
        if (first.ratio < BOUND) return;
        const second = growth(small, large);
        assert.ok(second.ratio < BOUND, `${4 * N} lines took ${first.text}, then ${second.text}; linear is 4×, quadratic 16×`);
      });
    }
  }
});

/** How much longer the large cases take than the small ones. */
function growth(small: readonly PostprocessCase[], large: readonly PostprocessCase[]): { ratio: number; text: string } {
  // Warm up the JIT on both sizes, then alternate them so a slow moment hits both.
  const reps = Math.min(50, Math.ceil(MIN_MS / Math.max(0.5, millis(small))));
  millis(large);
  const s: number[] = [];
  const l: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    s.push(millis(small, reps));
    l.push(millis(large, reps));
  }
  const ratio = median(l) / median(s);
  return { ratio, text: `${ratio.toFixed(1)}× the time of ${N} (${median(l).toFixed(1)} ms vs ${median(s).toFixed(1)} ms, ${reps}× each)` };
}
