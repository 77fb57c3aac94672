import { decodedQueryPart, isSecretParameter, pathTokens, redactUrlsIn } from '../../src/http/redact-url.js';
import type { StatusFirstResponse } from '../../src/http/transport.js';

const MASK = '[REDACTED]';

/**
 * Shorter values are not masked wherever they appear (that would mask parts of ordinary words); in
 * their `name=value` form they still are (redactUrlsIn).
 */
const MIN_MASKED_CHARS = 6;

/**
 * What of the destination URL a receiver must not get to echo into our errors: its query string as a
 * whole, each credential in it (a parameter named like one: `sig`, `code`, `token`, …), its
 * password and each token in its path (a Slack or Teams webhook's), as sent (percent-encoded)
 * and decoded. Longest first, so the whole query goes before its parts.
 */
function destinationSecrets(url: URL): string[] {
  const query = url.search.slice(1);
  const values = query.split('&').flatMap((pair) => {
    const eq = pair.indexOf('=');
    return eq > 0 && isSecretParameter(decodedQueryPart(pair.slice(0, eq))) ? [pair.slice(eq + 1)] : [];
  });
  const tokens = pathTokens(url.pathname);
  const found = [query, url.password, ...values, ...tokens].flatMap((text) => [text, decodedQueryPart(text)]);
  return [...new Set(found)].filter((text) => text.length >= MIN_MASKED_CHARS).sort((a, b) => b.length - a.length);
}

/**
 * The start of a response body as one line, for error messages; unreadable bodies give ''.
 * A receiver may echo what it got: its request line (the destination's path and query, whose
 * credentials docs/webhook.md promises never appear), headers, a misconfigured secret. So `secrets`,
 * the destination's query and credentials, and any secret-looking parameter of a URL in the text
 * (absolute or a relative `path?…&sig=…`) are masked, before the line is cut to `maxChars`.
 */
export async function readReason(response: StatusFirstResponse, destination: URL, secrets: readonly string[], maxChars = 300): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return '';
  }
  let line = text.replace(/\s+/g, ' ').trim();
  for (const secret of [...secrets, ...destinationSecrets(destination)]) if (secret.length > 0) line = line.split(secret).join(MASK);
  line = redactUrlsIn(line);
  return line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
}
