// Entry of the inference process, forked by the extension: ONNX Runtime's session.run blocks
// its thread for the whole compute, so it must never run on the extension host's.
import { createLogger } from '../core/logger';
import type { Request, Response } from '../core/protocol';
import { InferenceServer } from './server';

const send = (response: Response): void => {
  process.send?.(response);
};
const log = createLogger((level, message) => send({ type: 'log', level, message }), 'inference');
const server = new InferenceServer(send, log);

process.on('message', (message) => server.handle(message as Request));
// The extension host went away: nothing is left to answer to.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (err) => {
  // stderr to a pipe is synchronous on Linux and macOS, so the reason is out before the exit;
  // the extension logs it with the exit code.
  process.stderr.write(`inference process failed: ${err.stack ?? err.message}\n`);
  process.exit(70);
});
