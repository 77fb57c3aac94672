/**
 * Undoes the defanging analysts and threat reports apply to indicators so they cannot be clicked:
 * `1.2.3[.]4`, `1(.)2`, `1{.}2`, `1[dot]2`, `2001[:]db8`, `hxxp[://]`. Only the bracketed forms are
 * touched: a bare ` dot ` or `\.` is too common in prose and code to rewrite safely.
 */
const DEFANGED = /[[({]\s*(\.|dot|:\/\/|:)\s*[\])}]/gi;

function refangToken(_match: string, inner: string): string {
  return inner.length === 3 ? '.' : inner;
}

export function refang(text: string): string {
  if (text.indexOf('[') === -1 && text.indexOf('(') === -1 && text.indexOf('{') === -1) return text;
  return text.replace(DEFANGED, refangToken);
}
