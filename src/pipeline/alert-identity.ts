import { createHash } from 'node:crypto';

/**
 * The job id is derived from (tenant, alert id), so the same alert enqueued twice maps to the same
 * BullMQ job and is enriched once. BullMQ refuses ':' in custom ids and integer-looking ids, hence a
 * hex digest with a letter prefix.
 */
export function jobIdFor(tenant: string, alertId: string): string {
  return `a${createHash('sha256').update(`${tenant}\u0000${alertId}`).digest('hex').slice(0, 32)}`;
}

/** An alert without an id of its own is identified by its content (stable JSON of the payload). */
export function contentId(alert: unknown): string {
  return `sha256:${createHash('sha256').update(stableStringify(alert)).digest('hex')}`;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${stableStringify(child)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
