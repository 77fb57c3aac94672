import { redactPath } from '../../src/http/redact-url.js';

/** A URL as it may appear in errors and logs: no credentials, query or fragment, no token-like path segment (they may all hold tokens). */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${redactPath(url.pathname)}`;
}
