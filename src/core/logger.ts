// A small tagged logger. The extension backs it with a LogOutputChannel; tests and the
// inference process back it with whatever sink they have.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogSink = (level: LogLevel, message: string) => void;

/** A logger that prefixes every line with `[tag]`. */
export function createLogger(sink: LogSink, tag?: string): Logger & { child(tag: string): Logger } {
  const prefix = tag ? `[${tag}] ` : '';
  const at = (level: LogLevel) => (message: string) => sink(level, prefix + message);
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (childTag: string) => createLogger(sink, tag ? `${tag}:${childTag}` : childTag),
  };
}

export const silentLogger: Logger = createLogger(() => undefined);
