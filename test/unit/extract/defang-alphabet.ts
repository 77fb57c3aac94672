import fc from 'fast-check';

/**
 * Every way a dot between two octets is written in the text ipenrich reads: plain; in brackets,
 * parentheses or braces, of one kind or mixed (`[.)`); as a word (`[dot]`); with a bracket on one
 * side only (`[.`, `.)`); escaped (`\.`, regex-escaped IOC lists and Markdown). Sources:
 * iocextract's IPV4_RE (InQuest/iocextract, iocextract.py) and ioc-extractor's refang table
 * (README "Refang Techniques": partial `1.1.1[.1`, backslash, any combination).
 */
const DOT_FORMS = [
  '.', '[.]', '(.)', '{.}', '[dot]', '(dot)', '{dot}', '[.)', '(.]', '{.]',
  '[.', '(.', '{.', '.]', '.)', '.}', '\\.', '[\\.]',
] as const;

/** Plain dots three times as often as each defang, as text mostly writes them. */
export const dotForm = fc.oneof(fc.constant('.'), fc.constant('.'), fc.constantFrom(...DOT_FORMS));

/** Numbers joined by random dot forms: `1[.2\.3.)4`. */
export function joinWithDots(parts: readonly (number | string)[], dots: readonly string[]): string {
  return parts.map((part, i) => (i < parts.length - 1 ? `${part}${dots[i] ?? '.'}` : String(part))).join('');
}

/** The same text as an alert can carry it: as it is, and the JSON encodings the extractor must see through. */
export type Container = 'plain text' | 'JSON string' | 'JSON in a JSON string' | 'JSON text in a log line' | 'JSON text in JSON text in a log line';

const CONTAINERS: readonly Container[] = ['plain text', 'JSON string', 'JSON in a JSON string', 'JSON text in a log line', 'JSON text in JSON text in a log line'];

/**
 * `text` placed in `container`. "JSON in a JSON string" is parsed by the extractor (Sentinel's
 * Entities); "JSON text in a log line" is not JSON as a whole, so the scanner sees its escapes
 * (`\\.` for `\.`), twice over in the last form.
 */
export function contain(text: string, container: Container): unknown {
  switch (container) {
    case 'plain text':
      return text;
    case 'JSON string':
      return { message: text };
    case 'JSON in a JSON string':
      return { Entities: JSON.stringify([{ Type: 'note', message: text }]) };
    case 'JSON text in a log line':
      return { raw: `event=${JSON.stringify({ message: text })}` };
    case 'JSON text in JSON text in a log line':
      return { raw: `event=${JSON.stringify({ inner: `payload=${JSON.stringify({ message: text })}` })}` };
  }
}

export const container = fc.constantFrom(...CONTAINERS);
