/** A URL as it may appear in errors and logs: no credentials, query or fragment (they may hold tokens). */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
