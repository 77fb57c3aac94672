import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, matchApiKey, parseApiKeys } from '../../../src/ingress/api-keys.js';
import { scrubSecrets } from '../../../src/secrets.js';
import { loadConfig } from '../../../src/config/load.js';
import { ingressAuthFromConfig } from '../../../src/ingress/ingress-auth.js';

const TENANTS = ['default', 'contoso'];

describe('ingress API keys', () => {
  it('hashes keys as sha256:<hex> and makes long random keys', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^ipe_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
    expect(hashApiKey(key)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hashApiKey(key));
  });

  it('reads hashed and plain entries, each optionally bound to a tenant', () => {
    const operator = generateApiKey();
    const customer = generateApiKey();
    const plain = 'a-plain-key-of-20-chars';
    const { keys, problems } = parseApiKeys([hashApiKey(operator), `${hashApiKey(customer).toUpperCase().replace('SHA256', 'sha256')}@contoso`, plain], TENANTS);
    expect(problems).toEqual([]);
    expect(keys.map((key) => key.tenant)).toEqual([undefined, 'contoso', undefined]);
    expect(matchApiKey(keys, operator)?.tenant).toBeUndefined();
    expect(matchApiKey(keys, customer)?.tenant).toBe('contoso');
    expect(matchApiKey(keys, plain)).toBe(keys[2]);
    expect(scrubSecrets(`header was ${plain}`)).not.toContain(plain);
  });

  it('matches only the exact key', () => {
    const key = generateApiKey();
    const { keys } = parseApiKeys([hashApiKey(key)], TENANTS);
    for (const wrong of [key.slice(0, -1), `${key}x`, key.toUpperCase(), '', ' ']) expect(matchApiKey(keys, wrong)).toBeUndefined();
  });

  it('gives each key an id that reveals nothing of it and is stable', () => {
    const key = generateApiKey();
    const [first] = parseApiKeys([hashApiKey(key)], TENANTS).keys;
    const [second] = parseApiKeys([hashApiKey(key)], TENANTS).keys;
    expect(first?.id).toMatch(/^key-[0-9a-f]{12}$/);
    expect(first?.id).toBe(second?.id);
    expect(first?.id).not.toContain(key.slice(4, 16));
  });

  it('refuses an entry written the wrong way round (tenant@key) without quoting the key', () => {
    const plain = generateApiKey();
    const hashed = hashApiKey(generateApiKey());
    const { keys, problems } = parseApiKeys([`contoso@${plain}`, `contoso@${hashed}`, `${plain.slice(0, 20)}@${plain.slice(20)}`], TENANTS);
    expect(keys).toEqual([]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/entry 1: written the wrong way round: use <key>@contoso/);
    expect(problems[1]).toMatch(/entry 2: written the wrong way round: use <key>@contoso/);
    const text = problems.join(' ');
    expect(text).not.toContain(plain.slice(20));
    expect(text).not.toContain(plain.slice(0, 20));
    expect(text).not.toContain(hashed.slice(7, 30));
  });

  it('refuses it at start as CONFIG_INVALID, with no key in the message', () => {
    const plain = generateApiKey();
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', INGRESS_API_KEYS: `default@${plain}` });
    let thrown: unknown;
    try {
      ingressAuthFromConfig(config);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(JSON.stringify({ message: (thrown as Error).message, details: (thrown as { details?: unknown }).details })).not.toContain(plain.slice(4));
  });

  it('lists every bad entry without quoting any key', () => {
    const shortKey = 'short-key';
    const { keys, problems } = parseApiKeys([`sha256:${'a'.repeat(63)}`, shortKey, `${generateApiKey()}@initech`, `${generateApiKey()}@bad tenant`], TENANTS);
    expect(keys).toEqual([]);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/entry 1: sha256: must be followed by 64 hex digits/);
    expect(problems[1]).toMatch(/entry 2: a plain key must have at least 16 characters/);
    expect(problems[2]).toMatch(/entry 3: bound to a tenant that is not configured \(configured: /);
    expect(problems.join(' ')).not.toContain(shortKey);
  });
});
