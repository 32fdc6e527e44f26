// Typed errors that cross the IPC boundary as data. Each says what went wrong and what to do.

export type ErrorCode =
  | 'model-not-found' // the folder or a required file is missing
  | 'model-invalid' // a file is there but does not fit (bad JSON, unknown inputs, shape mismatch)
  | 'tokenizer-invalid'
  | 'inference-failed' // session.run threw
  | 'inference-crashed' // the inference process died
  | 'not-loaded'
  | 'model-source-invalid' // neither a folder nor a well-formed hub repo id[@revision]; a bad endpoint URL
  | 'hub-unreachable' // offline, endpoint down, connection broke (resumable)
  | 'hub-unauthorized' // 401/403: private or gated, a token is needed
  | 'hub-not-found' // 404: the repo, revision or a needed file
  | 'hub-invalid' // the endpoint answered something unusable or unsafe (a file name outside the cache)
  | 'download-corrupt' // a downloaded file's checksum does not match the hub's listing
  | 'disk-full'
  | 'write-failed' // writing a download or a library to disk failed (I/O error, read-only): nothing half-written is used
  | 'nuget-unreachable' // the NuGet feed of the CUDA provider package: offline, down, an HTTP error
  | 'nuget-not-found' // 404: the feed has no such package or version
  | 'package-invalid' // the CUDA provider package is not a zip, lacks a library, names an entry outside its folder
  | 'unsupported-platform' // the CUDA provider libraries cannot be installed here (not Linux x64)
  | 'remote-unreachable' // the completion server (ghostwriter.server.endpoint): refused, reset, timed out, TLS
  | 'remote-busy' // the server answered 429 or 503: try again after a while
  | 'remote-unauthorized' // 401/403: the API key is missing or wrong
  | 'remote-down' // the server answered 5xx, or 404 (no such route or model): it cannot serve completions now
  | 'remote-failed' // the server answered an error (its own message), or a stream that is not its dialect
  | 'cancelled'
  | 'internal';

/** The plain-data form of an error, as it travels between processes. */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly message: string;
  /** The file or input the error is about, when there is one. */
  readonly file?: string;
  readonly cause?: string;
}

export class GhostwriterError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; file?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GhostwriterError';
    this.file = options?.file;
  }
  readonly file?: string;

  toData(): ErrorData {
    return {
      code: this.code,
      message: this.message,
      ...(this.file ? { file: this.file } : {}),
      ...(this.cause !== undefined ? { cause: describeCause(this.cause) } : {}),
    };
  }

  static fromData(data: ErrorData): GhostwriterError {
    return new GhostwriterError(data.code, data.message, {
      file: data.file,
      cause: data.cause,
    });
  }
}

/** Any thrown value as ErrorData; unknown errors become 'internal'. */
export function toErrorData(err: unknown, fallback: ErrorCode = 'internal'): ErrorData {
  if (err instanceof GhostwriterError) return err.toData();
  return { code: fallback, message: describeCause(err) };
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
