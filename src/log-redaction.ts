/**
 * Structural redaction of log objects: a value under a secret-bearing key is replaced, at any depth
 * down to MAX_DEPTH, whatever the key's case. It replaces pino's path redaction, whose leading-wildcard
 * paths (`*.token`) cost about 14 µs on every line, even lines with no object in them — a twentieth
 * of the worker's CPU per alert. This walk costs about a microsecond and allocates only when it
 * redacts (copy on write: the caller's objects are never changed).
 */
export const REDACTED = '[REDACTED]';

/** Key names (lower case) whose values are credentials wherever they appear. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'token',
  'accesstoken',
  'access_token',
  'refreshtoken',
  'refresh_token',
  'clientsecret',
  'client_secret',
  'clientassertion',
  'client_assertion',
  'secret',
  'apikey',
  'api_key',
  'password',
  'privatekey',
  'private_key',
]);

/** Deeper than any log object of ours; a library's object graph is not walked to the bottom. */
const MAX_DEPTH = 6;

function isWalkable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  // Plain objects only: class instances (a request, a socket, an Error before its serializer) have
  // their own serializers, whose plain output is walked in turn.
  return proto === Object.prototype || proto === null;
}

function redactArray(items: unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const redacted = redactWalk(item, depth + 1);
    if (redacted !== item) {
      copy ??= items.slice();
      copy[i] = redacted;
    }
  }
  return copy ?? items;
}

function redactObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const value = object[key];
    const redacted = SECRET_KEYS.has(key.toLowerCase()) && value !== undefined && value !== null ? REDACTED : redactWalk(value, depth + 1);
    if (redacted !== value) {
      copy ??= { ...object };
      copy[key] = redacted;
    }
  }
  return copy ?? object;
}

function redactWalk(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH || !isWalkable(value)) return value;
  return Array.isArray(value) ? redactArray(value, depth) : redactObject(value, depth);
}

/** The value with every secret-bearing field replaced; the same value when there is none. */
export function redactSecretFields<T>(value: T): T {
  return redactWalk(value, 0) as T;
}
