/** One limiter window: at most `max` calls in any interval of `windowMs`. */
export interface RateWindow {
  readonly max: number;
  readonly windowMs: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WINDOW_PATTERN = /^(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/**
 * Parses `MDE_RATE_LIMITS`, e.g. `100/60s,1500/3600s` or `20/1s,100/10s`.
 * Returns the windows, or the reason the text is not a valid list.
 */
export function parseRateLimits(text: string): RateWindow[] | string {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  if (parts.length === 0) return 'expected at least one window like 100/60s';
  const windows: RateWindow[] = [];
  for (const part of parts) {
    const match = WINDOW_PATTERN.exec(part);
    if (!match) return `"${part}" is not a window like 100/60s (units ms, s, m, h)`;
    const max = Number(match[1]);
    const windowMs = Math.round(Number(match[2]) * (UNIT_MS[match[3] ?? 's'] ?? 1000));
    if (max < 1) return `"${part}": the maximum must be at least 1`;
    if (windowMs < 1) return `"${part}": the window must be at least 1 ms`;
    windows.push({ max, windowMs });
  }
  return windows.sort((a, b) => a.windowMs - b.windowMs);
}

export function formatRateLimits(windows: readonly RateWindow[]): string {
  return windows.map((w) => `${w.max}/${w.windowMs % 1000 === 0 ? `${w.windowMs / 1000}s` : `${w.windowMs}ms`}`).join(',');
}

/**
 * Ms between calls at the sustained rate of the tightest window: 100/60s and 1500/3600s allow one
 * call per 2.4 s. Starved misses wake one such slot apart; refreshes look again after one.
 */
export function sustainedSpacingMs(windows: readonly RateWindow[]): number {
  return Math.max(...windows.map((w) => w.windowMs / w.max));
}
