/**
 * Callback and sink URLs carry credentials in their query (a Logic Apps `sig`, an Azure Functions
 * `code`, a `token` or `key`), their userinfo or their path (incoming webhooks of Slack, Microsoft
 * Teams, Discord, Mattermost: the URL is the credential). Wherever a URL is shown, its scheme, host,
 * the readable part of its path and its parameter names stay (they are what a reader needs to
 * recognise it) and those values become REDACTED.
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

/**
 * A path segment holds a token when it has a run of 16 or more letters, digits, `-` and `_` that
 * does not read as a name. Slack's `/services/T…/B…/<24-character token>`, the 32-hex id in Teams'
 * `/webhookb2/<guid>@<guid>/IncomingWebhook/<id>/<guid>`, Discord's `/api/webhooks/<id>/<68-character
 * token>` and Mattermost's `/hooks/<26-character id>` lose their credential and keep their shape.
 *
 * A name is made of words: lower-case words, capitalised words, acronyms and numbers
 * (`Custom-IpEnrichment_CL`, `dataCollectionRules`, `rg-sentinel-prod-weu-001`), with no one-letter
 * word, at most one number, one acronym (of at most five letters) and two two-letter words, and a
 * vowel in every word of three letters or more. A random token of 24 characters reads as a name
 * about once in 10,000 (the unit test measures it); a name with a digit or short words in it
 * (`alerts-v2`) is hidden, which costs a reader little. GUIDs and a data
 * collection rule's immutable id (`dcr-` and 32 hex digits) stay: they name an Entra tenant or an
 * Azure object in Microsoft's URLs, which an operator of several needs to see, and no webhook above
 * is usable with its GUIDs alone.
 */
const LONG_RUN = /[A-Za-z0-9_-]{16,}/g;
const WORD = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g;
const AZURE_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|dcr-[0-9a-f]{32})$/i;

function readsAsName(run: string): boolean {
  const words = run.split(/[-_]/).flatMap((part) => part.match(WORD) ?? []);
  const count = (test: (word: string) => boolean): number => words.filter(test).length;
  return (
    words.every((word) => word.length >= 2 || /^[0-9]$/.test(word)) &&
    count((word) => /^[0-9]/.test(word)) <= 1 &&
    count((word) => /^[A-Z]{2,}$/.test(word)) <= 1 &&
    count((word) => word.length === 2) <= 2 &&
    words.every((word) => !/^[A-Z]+$/.test(word) || word.length <= 5) &&
    words.every((word) => word.length < 3 || !/[a-z]/.test(word) || /[aeiouy]/i.test(word))
  );
}

const isToken = (run: string): boolean => !AZURE_ID.test(run) && !readsAsName(run);

/** The tokens in a URL path. */
export function pathTokens(path: string): string[] {
  return (path.match(LONG_RUN) ?? []).filter(isToken);
}

/** A URL path (or a URL's path running into the text after it) with its tokens replaced. */
export function redactPath(path: string): string {
  return path.replace(LONG_RUN, (run) => (isToken(run) ? REDACTED : run));
}

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

/** The URL with its password, path tokens and secret parameter values (query and fragment) replaced; text that is not an absolute URL is returned as is. */
export function redactUrl(url: string): string {
  const parts = URL_PARTS.exec(url);
  if (!parts) return url;
  const [, scheme = '', authority = '', path = '', query, fragment] = parts;
  return `${scheme}${redactUserinfo(authority)}${redactPath(path)}${query === undefined ? '' : `?${redactParameters(query)}`}${fragment === undefined ? '' : `#${redactParameters(fragment)}`}`;
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
