import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { registerSecret } from '../secrets.js';

/** One configured ingress API key. Only its SHA-256 is kept in memory. */
export interface ApiKey {
  /** Safe to log and to key rate limits by: a prefix of the hash, never the key. */
  readonly id: string;
  readonly hash: Buffer;
  /** Set for a customer's key (MSSP): it may act for this tenant only. Unset: an operator key. */
  readonly tenant: string | undefined;
}

const HASHED = /^sha256:([0-9a-f]{64})$/i;
const TENANT = /^[A-Za-z0-9_.-]+$/;
/** Plain keys are hashed at start; shorter ones are guessable, so they are refused. */
const MIN_PLAIN_KEY_LENGTH = 16;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The form to put in INGRESS_API_KEYS: `sha256:<hex>`. */
export function hashApiKey(key: string): string {
  return `sha256:${sha256(key).toString('hex')}`;
}

/** A new random key: 32 bytes, base64url, with a prefix that makes it recognisable in secret scanners. */
export function generateApiKey(): string {
  return `ipe_${randomBytes(32).toString('base64url')}`;
}

/**
 * Parses INGRESS_API_KEYS entries: `sha256:<hex>[@tenant]` or a plain key `<key>[@tenant]` (hashed
 * here). Returns the keys and the problems; problems never quote a key.
 */
export function parseApiKeys(entries: readonly string[], tenants: readonly string[]): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  entries.forEach((entry, index) => {
    const where = `INGRESS_API_KEYS entry ${index + 1}`;
    const at = entry.lastIndexOf('@');
    const secretPart = at === -1 ? entry : entry.slice(0, at);
    const tenant = at === -1 ? undefined : entry.slice(at + 1);
    if (tenant !== undefined && (!TENANT.test(tenant) || !tenants.includes(tenant))) {
      // Never quote the part after @: in an entry written the wrong way round it is the key.
      if (tenants.includes(secretPart)) problems.push(`${where}: written the wrong way round: use <key>@${secretPart}`);
      else problems.push(`${where}: bound to a tenant that is not configured (configured: ${tenants.join(', ')})`);
      return;
    }
    const hashed = HASHED.exec(secretPart);
    let hash: Buffer;
    if (hashed?.[1]) {
      hash = Buffer.from(hashed[1], 'hex');
    } else if (secretPart.startsWith('sha256:')) {
      problems.push(`${where}: sha256: must be followed by 64 hex digits`);
      return;
    } else if (secretPart.length < MIN_PLAIN_KEY_LENGTH) {
      problems.push(`${where}: a plain key must have at least ${MIN_PLAIN_KEY_LENGTH} characters (ipenrich serve --new-key makes one)`);
      return;
    } else {
      registerSecret(secretPart);
      hash = sha256(secretPart);
    }
    keys.push({ id: `key-${hash.toString('hex').slice(0, 12)}`, hash, tenant });
  });
  return { keys, problems };
}

/**
 * The configured key matching `presented`, compared in constant time: the presented key is hashed
 * and compared with every configured hash, without stopping at the first match.
 */
export function matchApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const candidate = sha256(presented);
  let match: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(candidate, key.hash) && match === undefined) match = key;
  }
  return match;
}
