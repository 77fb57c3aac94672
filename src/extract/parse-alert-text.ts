import { IpenrichError } from '../errors.js';
import { DEFAULT_EXTRACT_OPTIONS } from './options.js';

/**
 * Alert text (or bytes, read as UTF-8) as a JSON value. Throws INPUT_TOO_LARGE above `maxBytes`
 * and INPUT_NOT_JSON for anything JSON.parse refuses; a leading byte order mark is allowed.
 */
export function parseAlertText(text: string | Buffer, maxBytes: number = DEFAULT_EXTRACT_OPTIONS.maxInputBytes): unknown {
  const size = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  if (size > maxBytes) {
    throw new IpenrichError('INPUT_TOO_LARGE', `the alert is ${size} bytes; the maximum is ${maxBytes} (EXTRACT_MAX_INPUT_BYTES)`, {
      details: { size, maxBytes },
    });
  }
  let source = typeof text === 'string' ? text : text.toString('utf8');
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  if (source.trim() === '') throw new IpenrichError('INPUT_NOT_JSON', 'the input is empty; expected one JSON alert');
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    // JSON.parse quotes a piece of the input; keep the message on one line for logs and stderr.
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new IpenrichError('INPUT_NOT_JSON', `the input is not JSON (${reason})`, { cause: error });
  }
}
