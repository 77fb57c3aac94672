import type { StatusFirstResponse } from '../../src/http/transport.js';

/**
 * The start of a response body as one line, for error messages; unreadable bodies give ''.
 * A receiver may echo what it got (headers, a misconfigured secret), so `secrets` are masked.
 */
export async function readReason(response: StatusFirstResponse, secrets: readonly string[], maxChars = 300): Promise<string> {
  try {
    let line = (await response.text()).replace(/\s+/g, ' ').trim();
    for (const secret of secrets) if (secret.length > 0) line = line.split(secret).join('[REDACTED]');
    return line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
  } catch {
    return '';
  }
}
