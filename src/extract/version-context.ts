import { identifierWords, isVersionIdentifier } from './key-names.js';

/**
 * Text around a dotted quad that says it is a version or a section number, not an address:
 * `Chrome/120.0.0.0` (a product token), `Version=4.0.0.0`, `build 1.2.3.4`, `ProductVersion:
 * "1.0.0.1"`, `CIS 1.1.1.1`, `section 2.3.1.1`. Prose around real addresses ("connected to",
 * "from", "src=") never ends in these words.
 */
const SECTION_WORDS = new Set(['section', 'sect', 'chapter', 'clause', 'cis', 'benchmark', 'requirement', 'recommendation', 'article', 'paragraph', 'appendix', 'figure', 'fig']);

function isLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 97 && lower <= 122;
}

function isWordChar(code: number): boolean {
  return isLetter(code) || (code >= 48 && code <= 57) || code === 95;
}

/** Separators between a label and its value: space, `:`, `=`, quotes, brackets, `#`, `-`, `.`, `>`, `_`. */
function isLabelSeparator(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 58 || code === 61 || code === 34 || code === 39
    || code === 40 || code === 91 || code === 35 || code === 45 || code === 46 || code === 62 || code === 95;
}

const BACKSLASH = 92;
/** Backslashes skipped between a label and its value: JSON text held in a string, twice over, escapes a quote with three. */
const MAX_BACKSLASHES = 8;

/** `n`, `r` or `t`: the letter of an escaped control character (`\nVersion=…`), which is no part of the word after it. */
function isEscapeLetter(code: number): boolean {
  return code === 110 || code === 114 || code === 116;
}

/**
 * `Product/120.0.0.0` where Product is a bare word that starts a token: the user-agent product
 * syntax. Only versions ending in `.0` count: that is how products that fit a dotted quad write
 * them (Chrome, Edge and Opera report MAJOR.0.0.0), while `localhost/127.0.0.1` and
 * `server01/10.0.0.5` (Java's host/address form) name hosts.
 */
function followsProductToken(text: string, start: number): boolean {
  if (start < 2 || text.charCodeAt(start - 1) !== 47) return false;
  let i = start - 2;
  const limit = Math.max(0, start - 66);
  while (i >= limit && (isWordChar(text.charCodeAt(i)) || text.charCodeAt(i) === 45)) i--;
  const tokenStart = i + 1;
  if (tokenStart > start - 2 || !isLetter(text.charCodeAt(tokenStart))) return false;
  if (i < 0) return true;
  const before = text.charCodeAt(i);
  // whitespace, `(`, `;`, `,`, quotes, `=`, `|`, and `+` (a space in IIS logs' user agents)
  return before === 32 || before === 9 || before === 10 || before === 13 || before === 40 || before === 59 || before === 44 || before === 34 || before === 39
    || before === 61 || before === 124 || before === 43;
}

function followsVersionWord(text: string, start: number): boolean {
  let i = start - 1;
  let separators = 0;
  let backslashes = 0;
  for (; i >= 0; i--) {
    const code = text.charCodeAt(i);
    // The escapes of JSON text held in a string (`Version: \"1.0.0.1\"`) are not separators of their own.
    if (code === BACKSLASH && backslashes < MAX_BACKSLASHES) backslashes++;
    else if (separators < 4 && isLabelSeparator(code)) separators++;
    else break;
  }
  if (separators === 0) return false;
  const end = i + 1;
  const limit = Math.max(0, end - 40);
  while (i >= limit && isWordChar(text.charCodeAt(i))) i--;
  let wordStart = i + 1;
  if (text.charCodeAt(i) === BACKSLASH && isEscapeLetter(text.charCodeAt(wordStart))) wordStart++;
  if (wordStart >= end) return false;
  const words = identifierWords(text.slice(wordStart, end));
  const last = words[words.length - 1];
  return isVersionIdentifier(words) || (last !== undefined && SECTION_WORDS.has(last));
}

/** Whether the dotted quad `octets`, starting at `start`, is written as a version or section number. */
export function isVersionContext(text: string, start: number, octets: readonly number[]): boolean {
  return (octets[3] === 0 && followsProductToken(text, start)) || followsVersionWord(text, start);
}
