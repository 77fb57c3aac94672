/**
 * What a JSON key name says about the strings under it. Names are split into words the way
 * vendors write them (camelCase, PascalCase, snake_case, dotted, spaced: `ProductVersion`,
 * `os_build`, `agent.version`, `Client IP address`), so one rule covers every format.
 */
export type KeyKind = 'version' | 'digest' | 'address' | 'other';

/**
 * Last words that mark a version or build number, or an object identifier (`2.5.29.17`): their
 * dotted quads are not addresses.
 */
const VERSION_WORDS = new Set(['version', 'versions', 'ver', 'vers', 'build', 'builds', 'release', 'rev', 'revision', 'firmware', 'patch', 'oid', 'oids']);
/** Hashes, thumbprints and fingerprints never hold an address; skipping them saves work. */
const DIGEST_WORDS = new Set(['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'ssdeep', 'imphash', 'tlsh', 'hash', 'hashes', 'thumbprint', 'fingerprint', 'ja3', 'ja3s', 'ja4']);
/** Words of keys that name an address (the evidence is then stronger than free text). */
const ADDRESS_WORDS = new Set(['ip', 'ips', 'ipv4', 'ipv6', 'ipaddress', 'ipaddresses', 'address', 'addresses', 'adresses', 'addr', 'src', 'dst', 'dest', 'remote', 'peer', 'nat', 'ipaddr']);

/** Words of an identifier, lowercased: `IPAddress` → ip, address; `os_build` → os, build. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** Whether the identifier's last word is a version word (`ProductVersion`, `osBuild`, `osversion`). */
export function isVersionIdentifier(words: readonly string[]): boolean {
  const last = words[words.length - 1];
  if (last === undefined) return false;
  return VERSION_WORDS.has(last) || last.endsWith('version');
}

function kindOf(name: string): KeyKind {
  const words = identifierWords(name);
  if (isVersionIdentifier(words)) return 'version';
  const last = words[words.length - 1];
  if (last !== undefined && DIGEST_WORDS.has(last)) return 'digest';
  if (words.some((word) => ADDRESS_WORDS.has(word))) return 'address';
  return 'other';
}

const cache = new Map<string, KeyKind>();
const CACHE_LIMIT = 4_096;
/** Longer "keys" are data (maps keyed by text), not field names. */
const MAX_KEY_LENGTH = 128;

/** The kind of a key name; alerts repeat the same keys, so answers are memoized (bounded). */
export function keyKind(name: string): KeyKind {
  if (name.length > MAX_KEY_LENGTH) return 'other';
  let kind = cache.get(name);
  if (kind === undefined) {
    kind = kindOf(name);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(name, kind);
  }
  return kind;
}
