import type { Redis } from '../../../src/redis/connection.js';
import type { KnownSecrets } from './known-secrets.js';

/** One piece of text to search: a worker's output, a Redis value, a received payload. */
export interface ScannedText {
  readonly source: string;
  readonly text: string;
}

/** Where a secret was found. Never holds the secret itself, so a failing test does not print it. */
export interface SecretFinding {
  readonly secret: string;
  readonly source: string;
  readonly line: number;
}

/** A JWT (header.payload.signature, both JSON parts base64url): an access token Entra issued. */
const BEARER_TOKEN = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

/** The forms a secret takes on the wire or in text: as is, URL-encoded (form bodies), the key part of a whsec_ secret. */
function formsOf(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value)]);
  if (value.startsWith('whsec_')) forms.add(value.slice('whsec_'.length));
  return [...forms];
}

export function findSecrets(texts: Iterable<ScannedText>, secrets: KnownSecrets): SecretFinding[] {
  const wanted = Object.entries(secrets as unknown as Record<string, string>).flatMap(([name, value]) => formsOf(value).map((form) => ({ name, form })));
  const findings: SecretFinding[] = [];
  for (const { source, text } of texts) {
    const lines = text.split('\n');
    for (const [index, line] of lines.entries()) {
      for (const { name, form } of wanted) {
        if (line.includes(form)) findings.push({ secret: name, source, line: index + 1 });
      }
      if (BEARER_TOKEN.test(line)) findings.push({ secret: 'bearer access token', source, line: index + 1 });
    }
  }
  return findings;
}

/** Every value in a Redis database (jobs with their errors and results, delivery state, cache, health), one text per key. */
export async function redisTexts(redis: Redis): Promise<ScannedText[]> {
  const out: ScannedText[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
    cursor = next;
    const types = await Promise.all(keys.map((key) => redis.type(key)));
    const values = await Promise.all(
      keys.map(async (key, i): Promise<string> => {
        switch (types[i]) {
          case 'string':
            return (await redis.get(key)) ?? '';
          case 'hash':
            return Object.entries(await redis.hgetall(key)).flat().join('\n');
          case 'list':
            return (await redis.lrange(key, 0, -1)).join('\n');
          case 'set':
            return (await redis.smembers(key)).join('\n');
          case 'zset':
            return (await redis.zrange(key, '0', '-1')).join('\n');
          case 'stream':
            return (await redis.xrange(key, '-', '+')).flat(3).join('\n');
          default:
            return '';
        }
      }),
    );
    keys.forEach((key, i) => out.push({ source: `redis ${key}`, text: `${key}\n${values[i] ?? ''}` }));
  } while (cursor !== '0');
  return out;
}
