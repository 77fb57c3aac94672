import { createHash } from 'node:crypto';

/** Who an alert is: the tenant that sent it, its source format and its own id (or its content's). */
export interface AlertIdentity {
  readonly tenant: string;
  readonly format: string;
  readonly alertId: string;
}

/** One string per identity, for the key that remembers its latest revision. */
export function identityKey(identity: AlertIdentity): string {
  return createHash('sha256').update(`${identity.tenant}\u0000${identity.format}\u0000${identity.alertId}`).digest('hex').slice(0, 32);
}

/**
 * The job id is the identity plus a digest of the content: the same alert sent again maps to the same
 * BullMQ job and is enriched once, while different content under the same id (an updated incident,
 * another sender's forgery) is a new revision with a job of its own, so no sender can suppress
 * another's alert. BullMQ refuses ':' in custom ids and integer-looking ids: a hex digest with a prefix.
 */
export function jobIdFor(identity: AlertIdentity, digest: string): string {
  return `a${createHash('sha256').update(`${identityKey(identity)}\u0000${digest}`).digest('hex').slice(0, 32)}`;
}

/** The digest of an alert's content (stable JSON of the payload: key order does not matter). */
export function contentDigest(alert: unknown): string {
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
