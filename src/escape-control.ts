/**
 * Text that came from alerts, tenants' settings or receivers' answers reaches terminals and log
 * viewers. Control characters in it could move the cursor, recolour or clear the screen (ANSI/CSI,
 * including the one-byte C1 CSI U+009B), forge lines, or reorder what is shown (the bidi overrides
 * and isolates of "Trojan Source"). They are written as `\uXXXX`; all other Unicode stays as it is.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escaped(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function escapeControl(text: string): string {
  return text.replace(CONTROL, escaped);
}
