import { isSecretParameter } from './redact-url.js';

/**
 * What an error may say about the request that failed: method, URL without credentials or
 * secret-looking query values, and header names only (values such as `Authorization` never leave).
 */
export interface RequestSummary {
  readonly method: string;
  readonly url: string;
  readonly headerNames: readonly string[];
}

export function sanitizeUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return '(invalid URL)';
  }
  url.username = '';
  url.password = '';
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (isSecretParameter(name)) url.searchParams.set(name, 'REDACTED');
  }
  return url.toString();
}

export function summarizeRequest(request: { method: string; url: string | URL; headers?: Readonly<Record<string, string>> }): RequestSummary {
  return {
    method: request.method.toUpperCase(),
    url: sanitizeUrl(request.url),
    headerNames: Object.keys(request.headers ?? {}).map((name) => name.toLowerCase()),
  };
}
