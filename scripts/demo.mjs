// npm run demo: build, generate the demo model (random weights!), and run the CLI on the
// classic prompts. It shows the machinery working end to end, not the quality of a trained model.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const run = (args, opts = {}) => execFileSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });

execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
const model = join('.cache', 'models', 'demo');
process.stdout.write(run(['out/scripts/generate-model.js', '--preset', 'tiny', '--out', model]));
process.stdout.write('\nThe demo model has seeded RANDOM weights: its text is gibberish by design. It shows the\n');
process.stdout.write('machinery (tokenizer, ONNX session, KV cache, sampling, stopping). For real suggestions use a\n');
process.stdout.write('trained GPT-2 export such as the Xenova/gpt2 files.\n');
for (const prompt of ['def fibonacci(n):', 'function factorial(n) {']) {
  process.stdout.write(`\n$ node dist/cli.js complete --model ${model} --prompt ${JSON.stringify(prompt)} --max-new-tokens 20 --temperature 0.7 --top-k 50 --seed 1\n`);
  process.stdout.write(run(['dist/cli.js', 'complete', '--model', model, '--prompt', prompt, '--max-new-tokens', '20', '--temperature', '0.7', '--top-k', '50', '--seed', '1', '--execution-provider', 'cpu']));
  const json = JSON.parse(run(['dist/cli.js', 'complete', '--model', model, '--prompt', prompt, '--max-new-tokens', '20', '--temperature', '0', '--json', '--execution-provider', 'cpu']));
  process.stdout.write(`greedy token ids: ${JSON.stringify(json.completions[0].tokenIds)} (prompt ${JSON.stringify(json.promptTokenIds)}, ${json.timings.totalMs} ms)\n`);
}
