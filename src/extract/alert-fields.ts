/**
 * Reading loosely typed alert fields: safe lookups, and the normalization of severities and times
 * that every format writes its own way.
 */

export type AlertSeverity = 'high' | 'medium' | 'low' | 'informational';

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The value at a dotted path. Each step also tries the rest of the path as one flat key, because
 * exports write the same field nested (`kibana: {alert: {…}}`) or flattened (`"kibana.alert.uuid"`).
 */
export function field(root: unknown, path: string): unknown {
  if (!isRecord(root)) return undefined;
  if (path in root) return root[path];
  const dot = path.indexOf('.');
  if (dot === -1) return undefined;
  return field(root[path.slice(0, dot)], path.slice(dot + 1));
}

/** The first element of an array, or the value itself: "detection" is an object or a list of them. */
export function first(value: unknown): unknown {
  return Array.isArray(value) ? (value[0] as unknown) : value;
}

/** A non-empty string, a finite number as text, or null. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return null;
}

/** The first of several fields that holds text. */
export function firstText(root: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    const value = text(field(root, path));
    if (value !== null) return value;
  }
  return null;
}

const SEVERITY_WORDS: Readonly<Record<string, AlertSeverity>> = {
  critical: 'high',
  crit: 'high',
  high: 'high',
  'very-high': 'high',
  'very high': 'high',
  veryhigh: 'high',
  severe: 'high',
  fatal: 'high',
  emergency: 'high',
  emerg: 'high',
  alert: 'high',
  urgent: 'high',
  major: 'high',
  medium: 'medium',
  moderate: 'medium',
  med: 'medium',
  error: 'medium',
  err: 'medium',
  low: 'low',
  minor: 'low',
  warning: 'low',
  warn: 'low',
  informational: 'informational',
  information: 'informational',
  info: 'informational',
  informative: 'informational',
  notice: 'informational',
  debug: 'informational',
};

/** A numeric severity on a scale: the thresholds at which it becomes low, medium and high. */
export interface SeverityScale {
  readonly low: number;
  readonly medium: number;
  readonly high: number;
}

/** 0–10 (QRadar, CEF, most vendors): 0 informational, 1–3 low, 4–6 medium, 7–10 high. */
export const TEN_POINT: SeverityScale = { low: 1, medium: 4, high: 7 };
/** 0–100 risk scores (Elastic: low < 22 ≤ medium < 48 ≤ high). */
const HUNDRED_POINT: SeverityScale = { low: 1, medium: 22, high: 48 };

function fromNumber(value: number, scale: SeverityScale | undefined): AlertSeverity | null {
  const chosen = scale ?? (value <= 10 ? TEN_POINT : value <= 100 ? HUNDRED_POINT : undefined);
  if (!chosen || value < 0) return null;
  if (value >= chosen.high) return 'high';
  if (value >= chosen.medium) return 'medium';
  if (value >= chosen.low) return 'low';
  return 'informational';
}

/**
 * One of high / medium / low / informational, from a word (any case: `High`, `CRITICAL`,
 * `Very-High`), a number on `scale` (or guessed: ≤ 10 or ≤ 100), or an object with a label
 * (AWS Security Hub's `{Label: "HIGH"}`). Unknown values give null.
 */
export function normalizeSeverity(value: unknown, scale?: SeverityScale): AlertSeverity | null {
  if (typeof value === 'number') return Number.isFinite(value) ? fromNumber(value, scale) : null;
  if (isRecord(value)) return normalizeSeverity(value.Label ?? value.label ?? value.Normalized ?? value.normalized, scale);
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(word)) return fromNumber(Number(word), scale);
  return SEVERITY_WORDS[word] ?? null;
}

/** The first field that normalizes to a severity. */
export function firstSeverity(root: unknown, paths: readonly string[], scale?: SeverityScale): AlertSeverity | null {
  for (const path of paths) {
    const severity = normalizeSeverity(field(root, path), scale);
    if (severity !== null) return severity;
  }
  return null;
}

const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
const HAS_YEAR = /(?:^|\D)(?:19|20|21)\d{2}(?:\D|$)/;

function fromEpoch(value: number): string | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  // Seconds until the year 5138; anything larger is milliseconds.
  const date = new Date(value < 1e11 ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * An ISO 8601 UTC time from epoch seconds or milliseconds (number or digits), or a date string.
 * Times written without a zone (O365's `2020-02-17T17:12:03`) are UTC, as their sources document;
 * strings without a year (syslog's `Jun 04 09:30:10`) are refused rather than guessed.
 */
export function isoTime(value: unknown): string | null {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return fromEpoch(Number(trimmed));
  if (!HAS_YEAR.test(trimmed)) return null;
  const date = new Date(ISO_WITHOUT_ZONE.test(trimmed) ? `${trimmed.replace(' ', 'T')}Z` : trimmed);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The first field that reads as a time. */
export function firstTime(root: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    const time = isoTime(field(root, path));
    if (time !== null) return time;
  }
  return null;
}
