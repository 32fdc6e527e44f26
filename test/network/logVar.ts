/** The environment variable naming the guard's log (one JSON line per attempt), shared by every process of a run. */
export const LOG_VAR = 'GHOSTWRITER_NET_LOG';
