import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSettingGiven, loadConfig } from '../../src/config/load.js';
import { parseRateLimits } from '../../src/enrich/rate-windows.js';
import { CONFIG_NAMES } from '../../src/config/schema.js';
import { hasCode } from '../../src/errors.js';

const SECRET = 'Sup3r-S3cret-Value~x';

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected CONFIG_INVALID');
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ipe-config-')), name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.MDE_RATE_LIMITS).toEqual([{ max: 100, windowMs: 60_000 }, { max: 1500, windowMs: 3_600_000 }]);
    expect(config.MDE_LOOKBACK_HOURS).toBe(720);
    expect(config.tenants.default?.MDE_CLOUD).toBe('commercial');
  });

  it('lists every problem in one message', () => {
    const message = configError({ MDE_LOOKBACK_HOURS: '721', SINKS: 'webhook,fax', MDE_RATE_LIMITS: '10/xs', REDIS_URL: 'http://x' });
    for (const name of ['MDE_LOOKBACK_HOURS', 'SINKS', 'MDE_RATE_LIMITS', 'REDIS_URL']) expect(message).toContain(name);
  });

  it('checks settings against each other: the coalescing lock must outlast a call', () => {
    expect(configError({ MDE_TIMEOUT_MS: '30000', COALESCE_LOCK_MS: '30000' })).toMatch(/COALESCE_LOCK_MS: must be longer than MDE_TIMEOUT_MS \(30000 ms\)/);
    expect(loadConfig({ MDE_TIMEOUT_MS: '29999', COALESCE_LOCK_MS: '30000' }).COALESCE_LOCK_MS).toBe(30_000);
  });

  it('never echoes a secret value, even an invalid one', () => {
    const message = configError({ WEBHOOK_SECRET: SECRET, MDE_CLIENT_SECRET: SECRET, MDE_LOOKBACK_HOURS: '0' });
    expect(message).toContain('WEBHOOK_SECRET');
    expect(message).not.toContain(SECRET);
  });

  it('reads NAME_FILE indirection and refuses both forms at once', () => {
    const path = tempFile('secret', `${SECRET}\n`);
    expect(loadConfig({ MDE_CLIENT_SECRET_FILE: path }).MDE_CLIENT_SECRET).toBe(SECRET);
    expect(configError({ MDE_CLIENT_SECRET_FILE: path, MDE_CLIENT_SECRET: 'other-value' })).toMatch(/both MDE_CLIENT_SECRET and MDE_CLIENT_SECRET_FILE/);
    expect(configError({ MDE_CLIENT_SECRET_FILE: '/nonexistent/secret' })).toMatch(/cannot read \/nonexistent\/secret \(ENOENT\)/);
  });

  it('reports a bad top-level value once, not again for each tenant that inherits it; a tenant\'s own bad value under its name', () => {
    const file = tempFile('ipenrich.json', JSON.stringify({ tenants: { contoso: { MDE_TENANT_ID: 't1' }, fabrikam: { MDE_TIMEOUT_MS: 5 } } }));
    const message = configError({ IPENRICH_CONFIG: file, MDE_TIMEOUT_MS: '0' });
    expect(message.match(/MDE_TIMEOUT_MS/g)).toHaveLength(2);
    expect(message).toMatch(/(^|; |: )MDE_TIMEOUT_MS: /);
    expect(message).toContain('IPENRICH_CONFIG tenants.fabrikam.MDE_TIMEOUT_MS');
    expect(message).not.toContain('tenants.contoso.');
  });

  it('takes an empty variable for an unset one, in either form (as shells and Compose write NAME=)', () => {
    const path = tempFile('secret-2', SECRET);
    expect(loadConfig({ MDE_CLIENT_SECRET: '', MDE_CLIENT_SECRET_FILE: path }).MDE_CLIENT_SECRET).toBe(SECRET);
    expect(loadConfig({ MDE_CLIENT_SECRET: SECRET, MDE_CLIENT_SECRET_FILE: '' }).MDE_CLIENT_SECRET).toBe(SECRET);
    expect(isSettingGiven({ REDIS_URL: '' }, 'REDIS_URL')).toBe(false);
    expect(isSettingGiven({ REDIS_URL_FILE: '' }, 'REDIS_URL')).toBe(false);
    expect(isSettingGiven({ REDIS_URL: 'redis://127.0.0.1:6379' }, 'REDIS_URL')).toBe(true);
  });

  it('reads tenants from IPENRICH_CONFIG, with the environment winning for top-level settings', () => {
    const secretPath = tempFile('contoso-secret', SECRET);
    const file = tempFile('ipenrich.json', JSON.stringify({
      LOG_LEVEL: 'debug',
      WORKER_CONCURRENCY: 4,
      tenants: {
        contoso: { MDE_TENANT_ID: 't1', MDE_CLIENT_ID: 'c1', MDE_CLIENT_SECRET_FILE: secretPath, MDE_CLOUD: 'gcc' },
        fabrikam: { MDE_TENANT_ID: 't2', MDE_CLIENT_ID: 'c2', MDE_CERTIFICATE_PATH: '/certs/f.pem' },
      },
    }));
    const config = loadConfig({ IPENRICH_CONFIG: file, LOG_LEVEL: 'warn', IPENRICH_DEFAULT_TENANT: 'contoso' });
    expect(config.LOG_LEVEL).toBe('warn');
    expect(config.WORKER_CONCURRENCY).toBe(4);
    expect(config.tenants.contoso).toMatchObject({ name: 'contoso', MDE_CLOUD: 'gcc', MDE_CLIENT_SECRET: SECRET });
    expect(config.tenants.fabrikam?.MDE_CLOUD).toBe('commercial');
    expect(Object.keys(config.tenants).sort()).toEqual(['contoso', 'fabrikam']);
  });

  it('lets a tenant inherit every setting it does not set from the top level, before the defaults', () => {
    const file = tempFile('inherit.json', JSON.stringify({
      MDE_AUTHORITY_HOST: 'login.file.example',
      tenants: {
        contoso: { MDE_TENANT_ID: 't1' },
        fabrikam: { MDE_TENANT_ID: 't2', MDE_LOOKBACK_HOURS: 24, MDE_AUTHORITY_HOST: 'login.fabrikam.example' },
      },
    }));
    const config = loadConfig({
      IPENRICH_CONFIG: file,
      MDE_LOOKBACK_HOURS: '168',
      MDE_CLOUD: 'gcc',
      MDE_API_BASE_URL: 'https://api.env.example',
      MDE_TIMEOUT_MS: '9000',
      MDE_CLIENT_ID: 'shared-app',
      MDE_CLIENT_SECRET: SECRET,
      IPENRICH_DEFAULT_TENANT: 'contoso',
    });
    expect(config.tenants.contoso).toMatchObject({
      MDE_TENANT_ID: 't1',
      MDE_LOOKBACK_HOURS: 168,
      MDE_CLOUD: 'gcc',
      MDE_AUTHORITY_HOST: 'login.file.example',
      MDE_API_BASE_URL: 'https://api.env.example',
      MDE_TIMEOUT_MS: 9000,
      MDE_CLIENT_ID: 'shared-app',
      MDE_CLIENT_SECRET: SECRET,
    });
    // What a tenant sets wins over the top level.
    expect(config.tenants.fabrikam).toMatchObject({ MDE_LOOKBACK_HOURS: 24, MDE_AUTHORITY_HOST: 'login.fabrikam.example', MDE_CLOUD: 'gcc' });
  });

  it('inherits the sign-in kind as a whole: a tenant with its own certificate does not also get the top-level secret', () => {
    const file = tempFile('credential.json', JSON.stringify({
      tenants: { fabrikam: { MDE_TENANT_ID: 't2', MDE_CERTIFICATE_PATH: '/certs/f.pem' }, contoso: { MDE_TENANT_ID: 't1' } },
    }));
    const config = loadConfig({ IPENRICH_CONFIG: file, MDE_CLIENT_ID: 'app', MDE_CLIENT_SECRET: SECRET, IPENRICH_DEFAULT_TENANT: 'contoso' });
    expect(config.tenants.fabrikam?.MDE_CLIENT_SECRET).toBeUndefined();
    expect(config.tenants.fabrikam).toMatchObject({ MDE_CLIENT_ID: 'app', MDE_CERTIFICATE_PATH: '/certs/f.pem' });
    expect(config.tenants.contoso?.MDE_CLIENT_SECRET).toBe(SECRET);
  });

  it('takes the refresh-ahead settings per tenant, inheriting the top level\'s', () => {
    const file = tempFile('refresh.json', JSON.stringify({
      CACHE_REFRESH_BUDGET_PERCENT: '30',
      tenants: { contoso: {}, fabrikam: { CACHE_REFRESH_AHEAD: 'false', CACHE_REFRESH_AHEAD_PERCENT: '10' } },
    }));
    const config = loadConfig({ IPENRICH_CONFIG: file, IPENRICH_DEFAULT_TENANT: 'contoso' });
    expect(config.tenants.contoso).toMatchObject({ CACHE_REFRESH_AHEAD: true, CACHE_REFRESH_BUDGET_PERCENT: 30, CACHE_REFRESH_AHEAD_PERCENT: 25 });
    expect(config.tenants.fabrikam).toMatchObject({ CACHE_REFRESH_AHEAD: false, CACHE_REFRESH_BUDGET_PERCENT: 30, CACHE_REFRESH_AHEAD_PERCENT: 10 });
    expect(() => loadConfig({ CACHE_REFRESH_AHEAD_PERCENT: '95' })).toThrow(/CACHE_REFRESH_AHEAD_PERCENT/);
  });

  it('takes sink settings per tenant, inherits the top level\'s, and checks each tenant\'s enabled sinks', () => {
    const whsec = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const fabrikamSecret = `whsec_${Buffer.alloc(32, 4).toString('base64')}`;
    const file = tempFile('sinks.json', JSON.stringify({
      tenants: {
        contoso: { SINKS: 'splunk', SPLUNK_HEC_TOKEN: 'contoso-token', SPLUNK_INDEX: 'contoso' },
        fabrikam: { WEBHOOK_URL: 'https://hooks.fabrikam.example/ipenrich', WEBHOOK_SECRET: fabrikamSecret },
      },
    }));
    const config = loadConfig({
      IPENRICH_CONFIG: file,
      IPENRICH_DEFAULT_TENANT: 'contoso',
      SINKS: 'webhook',
      WEBHOOK_SECRET: whsec,
      WEBHOOK_URL: 'https://hooks.mssp.example/ipenrich',
      SPLUNK_HEC_URL: 'https://splunk.mssp.example:8088',
    });
    expect(config.tenants.contoso).toMatchObject({ SINKS: ['splunk'], SPLUNK_HEC_URL: 'https://splunk.mssp.example:8088', SPLUNK_INDEX: 'contoso' });
    expect(config.tenants.fabrikam).toMatchObject({ SINKS: ['webhook'], WEBHOOK_URL: 'https://hooks.fabrikam.example/ipenrich', WEBHOOK_SECRET: fabrikamSecret });
    const broken = tempFile('broken.json', JSON.stringify({ tenants: { fabrikam: { SINKS: 'splunk' } } }));
    expect(configError({ IPENRICH_CONFIG: broken })).toContain('IPENRICH_CONFIG tenants.fabrikam.SPLUNK_HEC_URL and SPLUNK_HEC_TOKEN: required when SINKS includes splunk');
  });

  it('never lets a tenant of the file inherit what draws its boundary: webhook secret, callback allowlist, Sentinel workspaces', () => {
    const whsec = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    const file = tempFile('boundary.json', JSON.stringify({ tenants: { contoso: {}, fabrikam: { SINKS: 'splunk', SPLUNK_HEC_URL: 'https://s.example:8088', SPLUNK_HEC_TOKEN: 't' } } }));
    const env = {
      IPENRICH_CONFIG: file,
      IPENRICH_DEFAULT_TENANT: 'contoso',
      WEBHOOK_SECRET: whsec,
      WEBHOOK_CALLBACK_ALLOWLIST: 'hooks.contoso.example',
      SENTINEL_WORKSPACES: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/contoso-rg/providers/Microsoft.OperationalInsights/workspaces/contoso',
    };
    const config = loadConfig(env);
    for (const tenant of [config.tenants.contoso, config.tenants.fabrikam]) {
      expect(tenant?.WEBHOOK_SECRET).toBeUndefined();
      expect(tenant?.WEBHOOK_CALLBACK_ALLOWLIST).toEqual([]);
      expect(tenant?.SENTINEL_WORKSPACES).toBeUndefined();
    }
    // The top level stays the default tenant's own when the file does not name it.
    const single = loadConfig({ WEBHOOK_SECRET: whsec, WEBHOOK_CALLBACK_ALLOWLIST: 'hooks.contoso.example' });
    expect(single.tenants.default).toMatchObject({ WEBHOOK_SECRET: whsec, WEBHOOK_CALLBACK_ALLOWLIST: ['hooks.contoso.example'] });
  });

  it('rejects unknown and misplaced settings in the file', () => {
    const file = tempFile('bad.json', JSON.stringify({ REDIS_URI: 'x', tenants: { a: { REDIS_URL: 'redis://elsewhere:6379' } } }));
    const message = configError({ IPENRICH_CONFIG: file });
    expect(message).toContain('unknown setting REDIS_URI');
    expect(message).toContain('tenants.a.REDIS_URL: not a per-tenant setting');
    expect(configError({ IPENRICH_CONFIG: tempFile('x.json', '{nope') })).toMatch(/not valid JSON/);
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.MDE_RATE_LIMITS)).toBe(true);
    expect(Object.isFrozen(config.tenants.default)).toBe(true);
  });

  it('documents every setting in config/ipenrich.example.env', () => {
    const example = readFileSync('config/ipenrich.example.env', 'utf8');
    const documented = new Set([...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    expect(CONFIG_NAMES.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('has example settings that, uncommented, are env-file lines giving the defaults, and the whole file loads', () => {
    // An env file (docker --env-file, Compose env_file, systemd EnvironmentFile) takes the value to the
    // end of the line, so `# NAME=value` uncommented must give the default and nothing more (no meaning).
    const settings = readFileSync('config/ipenrich.example.env', 'utf8')
      .split('\n')
      .filter((line) => /^# [A-Z][A-Z0-9_]+=/.test(line))
      .map((line) => {
        const assignment = line.slice('# '.length);
        const equals = assignment.indexOf('=');
        return { name: assignment.slice(0, equals), value: assignment.slice(equals + 1) };
      });
    // Every such line is a setting (IPENRICH_CONFIG names the file of the others): no line of a meaning reads as one.
    const known = new Set([...CONFIG_NAMES, 'IPENRICH_CONFIG']);
    expect(settings.map(({ name }) => name).filter((name) => !known.has(name))).toEqual([]);
    const defaults: Record<string, unknown> = loadConfig({});
    for (const { name, value } of settings) {
      // One token, read alike by all three formats: no spaces, quotes, comments, variables or escapes.
      expect(value, name).toMatch(/^[^\s"'`#$\\]*$/);
      if (value !== '') expect((loadConfig({ [name]: value }) as Record<string, unknown>)[name], name).toEqual(defaults[name]);
    }
    expect(loadConfig(Object.fromEntries(settings.map(({ name, value }) => [name, value])))).toEqual(defaults);
  });

  it('refuses tenant names that are JavaScript object keys (__proto__, constructor…), naming each', () => {
    // Written as JSON text: JSON.parse makes "__proto__" an own key, as an operator's file would.
    const names = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];
    const file = tempFile('ipenrich.json', `{"tenants":{${names.map((name) => `"${name}":{}`).join(',')},"contoso":{}}}`);
    const message = configError({ IPENRICH_CONFIG: file });
    for (const name of names) expect(message).toContain(`tenants.${name}: "${name}" is reserved`);
    expect(configError({ IPENRICH_DEFAULT_TENANT: 'constructor' })).toContain('IPENRICH_DEFAULT_TENANT: "constructor" is reserved');
  });
});

describe('parseRateLimits', () => {
  it('parses windows in any unit, sorted by length', () => {
    expect(parseRateLimits('1500/1h, 100/60s,20/500ms')).toEqual([
      { max: 20, windowMs: 500 },
      { max: 100, windowMs: 60_000 },
      { max: 1500, windowMs: 3_600_000 },
    ]);
  });
  it('explains what is wrong', () => {
    expect(parseRateLimits('')).toMatch(/at least one window/);
    expect(parseRateLimits('100/60')).toMatch(/"100\/60" is not a window/);
    expect(parseRateLimits('0/1s')).toMatch(/at least 1/);
  });
});
