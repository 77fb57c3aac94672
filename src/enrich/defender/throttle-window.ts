/** The limit a 429 message names, e.g. `maximum allowed 1500 per 01:00:00` → 1500 calls per hour. */
export interface ThrottleWindow {
  readonly max: number;
  readonly windowMs: number;
  /** As written by Defender, e.g. `01:00:00`. */
  readonly text: string;
}

/** `<n> per [d.]hh:mm:ss[.fffffff]` (a .NET TimeSpan), with optional "calls"/"requests" between. */
const WINDOW_IN_MESSAGE = /(\d+)\s+(?:calls\s+|requests\s+)?per\s+((?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(\.\d+)?)/i;

export function parseThrottleWindow(message: string | undefined): ThrottleWindow | undefined {
  const match = message === undefined ? null : WINDOW_IN_MESSAGE.exec(message);
  if (!match) return undefined;
  const [, max = '0', text = '', days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  const windowMs =
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + Math.round(Number(`0${fraction}`) * 1000);
  if (windowMs <= 0 || Number(max) <= 0) return undefined;
  return { max: Number(max), windowMs, text };
}
