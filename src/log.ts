import { pino, type Logger, type LoggerOptions } from 'pino';
import { escapeControl } from './escape-control.js';
import { redactUrlsIn } from './http/redact-url.js';
import { redactSecretFields } from './log-redaction.js';
import { scrubSecrets } from './secrets.js';

export type { Logger };

/**
 * JSON escapes C0 controls but not DEL, C1 controls or bidi overrides, which would reach a terminal
 * tailing the log as they are. Escaping the serialised line (one pass, strings and keys alike) writes
 * them as JSON `\uXXXX` escapes: a parser still reads the original text. The line's own end stays.
 */
function withoutRawControls(line: string): string {
  return line.endsWith('\n') ? `${escapeControl(line.slice(0, -1))}\n` : escapeControl(line);
}

/**
 * A URL in a log line loses its credentials as it does wherever ipenrich shows one (redact-url.ts):
 * an error a library wrote about a callback or sink keeps its host and path but not a `sig=`, a
 * password or a Slack or Teams path token. Only lines that can hold one are scanned.
 */
function withoutUrlCredentials(line: string): string {
  return line.includes('://') || line.includes('=') ? redactUrlsIn(line) : line;
}

/** pino's error serializer builds on a prototype of its own: its fields are copied into a plain object to be walked. */
function redactedError(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  return serialized !== null && typeof serialized === 'object' ? redactSecretFields({ ...serialized }) : serialized;
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'ipenrich' },
    // Secrets are caught three times: by structure (a field named like a credential, log-redaction.ts),
    // in free text such as an error message by value (every registered secret, secrets.ts), and in
    // URLs by form (redact-url.ts).
    serializers: { err: redactedError },
    hooks: {
      streamWrite: (line: string) => withoutRawControls(withoutUrlCredentials(scrubSecrets(line))),
    },
    formatters: { level: (label) => ({ level: label }), log: (object) => redactSecretFields(object) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(config, options.destination ?? bufferedLogDestination(2));
}

/** Bytes gathered before a write: a busy worker writes a few lines per system call, not one. */
const LOG_BUFFER_BYTES = 4096;
/** A quiet process still shows each line within this long. */
const LOG_FLUSH_MS = 200;

/**
 * Logs go to stderr (fd 2) so that stdout stays clean for JSON results of CLI commands; a file path
 * appends to the file (the benchmarks' workers). Lines are buffered (a write per line was a tenth of
 * a busy worker's CPU: a system call each) and written when 4 KiB have gathered or 200 ms have
 * passed; pino writes what is left when the process exits, a crash included. Only a process killed
 * outright (SIGKILL, out of memory) loses its last 200 ms of lines.
 */
export function bufferedLogDestination(target: number | string): pino.DestinationStream {
  const stream = pino.destination({ ...(typeof target === 'number' ? { fd: target } : { dest: target, append: true }), sync: false, minLength: LOG_BUFFER_BYTES });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      // A destroyed stream (stderr closed under us) throws: there is nothing left to flush to.
      clearInterval(timer);
    }
  }, LOG_FLUSH_MS);
  timer.unref();
  stream.on('close', () => clearInterval(timer));
  return stream;
}
