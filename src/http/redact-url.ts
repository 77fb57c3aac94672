/**
 * Callback and sink URLs carry credentials in their query (a Logic Apps `sig`, an Azure Functions
 * `code`, a `token` or `key`) or their userinfo. Wherever a URL is shown, its scheme, host, path and
 * parameter names stay (they are what a reader needs to recognise it) and those values become REDACTED.
 */
const REDACTED = 'REDACTED';

/** Parameter names whose values are credentials (substring match: `sig` covers `X-Amz-Signature`, `key` covers `apikey`). */
const SECRET_PARAMETER = /sig|token|secret|pass|pwd|key|code|assertion|auth|credential/i;

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/is;

/** A URL in free text; trailing punctuation belongs to the sentence, not to the URL. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*[^\s"'<>`.,;:!?)\]}]/gi;

/**
 * A `name=value` parameter of a query or fragment in free text, absolute URL or not (a receiver
 * echoing `/hook?sig=…`): it follows `?`, `&`, `;` or `#`. Trailing punctuation belongs to the sentence.
 */
const PARAMETER_IN_TEXT = /([?&;#])([^\s"'<>`?&;#=]+)=((?:[^\s"'<>`&#]*[^\s"'<>`&#.,;:!?)\]}])?)/g;

export function isSecretParameter(name: string): boolean {
  return SECRET_PARAMETER.test(name);
}

/** A query part as its receiver reads it (`+` a space, percent-decoded); as given when it does not decode. */
export function decodedQueryPart(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

function redactParameters(list: string): string {
  return list
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 && isSecretParameter(decodedQueryPart(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
}

function redactUserinfo(authority: string): string {
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  // Only a colon before the @ separates user and password; one after it is the port.
  return at < 0 || colon < 0 || colon > at ? authority : `${authority.slice(0, colon)}:${REDACTED}${authority.slice(at)}`;
}

/** The URL with its password and secret parameter values (query and fragment) replaced; text that is not an absolute URL is returned as is. */
export function redactUrl(url: string): string {
  const parts = URL_PARTS.exec(url);
  if (!parts) return url;
  const [, scheme = '', authority = '', path = '', query, fragment] = parts;
  return `${scheme}${redactUserinfo(authority)}${path}${query === undefined ? '' : `?${redactParameters(query)}`}${fragment === undefined ? '' : `#${redactParameters(fragment)}`}`;
}

/** Every URL in a text (an error message, a failure reason) replaced by what `by` makes of it. */
export function replaceUrlsIn(text: string, by: (url: string) => string): string {
  return text.replace(URL_IN_TEXT, by);
}

/**
 * Every URL in a text redacted as by {@link redactUrl}, and every secret parameter value of a
 * relative one (`/workflows?api-version=1&sig=…`, `?code=…`) too.
 */
export function redactUrlsIn(text: string): string {
  return replaceUrlsIn(text, redactUrl).replace(PARAMETER_IN_TEXT, (parameter, lead: string, name: string, value: string) =>
    value.length > 0 && isSecretParameter(decodedQueryPart(name)) ? `${lead}${name}=${REDACTED}` : parameter,
  );
}
