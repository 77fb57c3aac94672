import { pino, type Logger, type LoggerOptions } from 'pino';
import { escapeControl } from './escape-control.js';
import { scrubSecrets } from './secrets.js';

export type { Logger };

/**
 * Paths redacted by structure. Secrets that hide in free text (an error message quoting a header)
 * are caught by the second net: every line is scrubbed of registered secret values before it is written.
 */
const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  '*.access_token',
  'clientSecret',
  '*.clientSecret',
  '*.client_secret',
  '*.clientAssertion',
  '*.client_assertion',
  'secret',
  '*.secret',
  '*.apiKey',
  '*.password',
  '*.privateKey',
];

/**
 * JSON escapes C0 controls but not DEL, C1 controls or bidi overrides, which would reach a terminal
 * tailing the log as they are. Escaping the serialised line (one pass, strings and keys alike) writes
 * them as JSON `\uXXXX` escapes: a parser still reads the original text. The line's own end stays.
 */
function withoutRawControls(line: string): string {
  return line.endsWith('\n') ? `${escapeControl(line.slice(0, -1))}\n` : escapeControl(line);
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'ipenrich' },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: {
      streamWrite: (line: string) => withoutRawControls(scrubSecrets(line)),
    },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Logs go to stderr so that stdout stays clean for JSON results of CLI commands.
  return pino(config, options.destination ?? pino.destination({ fd: 2, sync: false }));
}
