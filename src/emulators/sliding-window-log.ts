import type { RateWindow } from '../enrich/rate-windows.js';

/**
 * The Defender emulator's rate limit: for each key (tenant + application), a log of admitted call
 * times checked against every window as a SLIDING window: a call is admitted only if, for each
 * window, fewer than `max` admitted calls happened in the last `windowMs`. Refused calls are not
 * logged, so a client that keeps retrying early is refused but does not extend its own penalty.
 * This is stricter than fixed buckets, so a client that passes here passes a bucketed service too.
 */
export type Admission = { admitted: true } | { admitted: false; window: RateWindow; retryAfterMs: number };

export class SlidingWindowLog {
  readonly #windows: readonly RateWindow[];
  readonly #longest: number;
  readonly #log = new Map<string, number[]>();

  constructor(windows: readonly RateWindow[]) {
    this.#windows = [...windows].sort((a, b) => a.windowMs - b.windowMs);
    this.#longest = Math.max(0, ...windows.map((w) => w.windowMs));
  }

  get windows(): readonly RateWindow[] {
    return this.#windows;
  }

  admit(key: string, now: number): Admission {
    const times = this.#log.get(key) ?? [];
    while (times.length > 0 && (times[0] ?? 0) <= now - this.#longest) times.shift();
    let refusal: Admission | undefined;
    for (const window of this.#windows) {
      const inWindow = times.filter((t) => t > now - window.windowMs);
      if (inWindow.length < window.max) continue;
      // The call fits again once enough of the oldest calls in this window have aged out.
      const freeAt = (inWindow[inWindow.length - window.max] ?? now) + window.windowMs;
      const retryAfterMs = Math.max(1, freeAt - now);
      if (!refusal || refusal.admitted || retryAfterMs > refusal.retryAfterMs) refusal = { admitted: false, window, retryAfterMs };
    }
    if (refusal) return refusal;
    times.push(now);
    this.#log.set(key, times);
    return { admitted: true };
  }

  clear(): void {
    this.#log.clear();
  }
}

/** A window as .NET prints a TimeSpan (`01:00:00`, `00:01:00`, `00:00:00.5000000`): Defender's message format. */
export function formatTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const fraction = ms % 1000;
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${days > 0 ? `${days}.` : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}${fraction > 0 ? `.${String(fraction * 10_000).padStart(7, '0')}` : ''}`;
}
