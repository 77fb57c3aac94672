/** IMF-fixdate and the obsolete RFC 850 form end in GMT; asctime has no zone and means GMT. */
const HTTP_DATE = /^[A-Za-z]{3,9},\s+\d{1,2}[ -][A-Za-z]{3}[ -]\d{2,4}\s+\d{2}:\d{2}:\d{2}\s+GMT$|^[A-Za-z]{3}\s+[A-Za-z]{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4}$/;

/**
 * `Retry-After` in milliseconds from `now`, or undefined when absent or unreadable.
 * RFC 9110 §10.2.3 allows delay-seconds or an HTTP-date; both occur in the services we call.
 * Only HTTP-date shapes are handed to Date.parse, which would otherwise accept almost anything.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text.endsWith('GMT') ? text : `${text} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
