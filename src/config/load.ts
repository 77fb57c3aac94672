import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { CONNECTORS } from '../../connectors/registry.js';
import { IpenrichError, isIpenrichError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { CONFIG_NAMES, configSchema, SECRET_NAMES, tenantFields, type ParsedConfig, type TenantFields } from './schema.js';

export interface TenantConfig extends TenantFields {
  /** The tenant's name inside ipenrich (job data, cache and limiter keys). */
  readonly name: string;
}

export type Config = Readonly<ParsedConfig> & {
  readonly tenants: Readonly<Record<string, Readonly<TenantConfig>>>;
};

type Source = Record<string, unknown>;

const TENANT_NAMES = new Set(Object.keys(tenantFields.shape));
/** Names a plain object already answers to: as tenants they would vanish into the prototype or match by accident. */
const RESERVED_TENANT_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const SECRET_NAME_SET = new Set<string>(SECRET_NAMES);
/**
 * Settings that together say how a tenant signs in. They are inherited as a group: a tenant that
 * brings its own certificate must not also inherit the top level's secret (credentialFor refuses two).
 */
const CREDENTIAL_KIND_NAMES = ['MDE_CLIENT_SECRET', 'MDE_CERTIFICATE_PATH', 'MDE_CERTIFICATE_SEND_X5C', 'MDE_MANAGED_IDENTITY'];

/** Scrubs every secret a source names from messages from now on (comma lists part by part). */
function registerSecretsOf(source: Source): void {
  for (const name of SECRET_NAME_SET) {
    const value = source[name];
    if (typeof value === 'string') for (const part of value.split(',')) registerSecret(part.trim());
  }
}

/** Settings that draw a tenant's boundary (connectors declare them): a tenant in the file never inherits them. */
const OWN_ONLY_NAMES = new Set<string>(CONNECTORS.flatMap((connector): readonly string[] => connector.ownOnly));

/**
 * What a tenant inherits: every per-tenant setting given at the top level (file or environment),
 * except the credential kind when the tenant names its own, and (for a tenant of the file) the
 * settings that draw its boundary. Defaults apply only after this.
 */
function inheritedBy(own: Source, top: Source, options: { boundaries: boolean }): Source {
  const ownsCredential = CREDENTIAL_KIND_NAMES.some((name) => own[name] !== undefined);
  return Object.fromEntries(
    Object.entries(top).filter(
      ([name]) =>
        TENANT_NAMES.has(name) && !(ownsCredential && CREDENTIAL_KIND_NAMES.includes(name)) && (options.boundaries || !OWN_ONLY_NAMES.has(name)),
    ),
  );
}

/**
 * Resolves `NAME_FILE` into `NAME` (Docker/Kubernetes secrets). A value given both ways is an error,
 * because silently preferring one hides a misconfiguration.
 */
function resolveFileIndirection(source: Source, where: string, problems: string[]): Source {
  const out: Source = {};
  for (const [key, value] of Object.entries(source)) {
    if (!key.endsWith('_FILE') || !isSet(value)) {
      out[key] = value;
      continue;
    }
    const name = key.slice(0, -'_FILE'.length);
    if (!CONFIG_NAMES.includes(name)) {
      out[key] = value;
      continue;
    }
    if (isSet(source[name])) {
      problems.push(`${where}${name}: set both ${name} and ${key}; keep one`);
      continue;
    }
    try {
      out[name] = readFileSync(String(value), 'utf8').trim();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${where}${key}: cannot read ${String(value)} (${reason})`);
    }
  }
  return out;
}

/** An empty string is unset, as shells and Compose write an unset variable (`NAME=`). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== '';
}

/** Only the names the schema knows, with empty strings treated as unset. */
function pickKnown(source: Source): Source {
  const out: Source = {};
  for (const name of CONFIG_NAMES) {
    const value = source[name];
    if (!isSet(value)) continue;
    out[name] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  return out;
}

function describeIssues(error: z.ZodError, where: string, keep: (setting: string) => boolean = () => true): string[] {
  return error.issues.filter((issue) => keep(String(issue.path[0]))).map((issue) => {
    const path = issue.path.map(String).join('.');
    // zod's messages describe the expectation, never the received value, so secrets stay out.
    return `${where}${path || '(root)'}: ${issue.message}`;
  });
}

function readConfigFile(path: string, problems: string[]): Source {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`IPENRICH_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`IPENRICH_CONFIG: ${path} must hold a JSON object`);
      return {};
    }
    return parsed as Source;
  } catch {
    problems.push(`IPENRICH_CONFIG: ${path} is not valid JSON`);
    return {};
  }
}

/**
 * Whether a top-level setting was given (itself or as `<name>_FILE`) in the environment or the
 * IPENRICH_CONFIG file, rather than left to its default. Call after loadConfig accepted both.
 */
export function isSettingGiven(env: NodeJS.ProcessEnv, name: keyof ParsedConfig): boolean {
  const given = (source: Source): boolean => isSet(source[name]) || isSet(source[`${name}_FILE`]);
  if (given(env)) return true;
  return env.IPENRICH_CONFIG ? given(readConfigFile(env.IPENRICH_CONFIG, [])) : false;
}

/**
 * Builds the configuration from the environment and the optional IPENRICH_CONFIG file.
 * Environment wins over the file. All problems are collected and thrown together as one
 * CONFIG_INVALID error, so an operator fixes everything in one round.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const envSource = resolveFileIndirection(env, '', problems);

  const filePath = env.IPENRICH_CONFIG;
  const file = filePath ? readConfigFile(filePath, problems) : {};
  const { tenants: fileTenants, ...fileTop } = file;
  for (const key of Object.keys(fileTop)) {
    const base = key.endsWith('_FILE') ? key.slice(0, -5) : key;
    if (!CONFIG_NAMES.includes(base)) problems.push(`IPENRICH_CONFIG: unknown setting ${key}`);
  }
  const fileSource = resolveFileIndirection(fileTop, 'IPENRICH_CONFIG ', problems);

  const merged = { ...pickKnown(fileSource), ...pickKnown(envSource) };
  const result = configSchema.safeParse(merged);
  if (!result.success) problems.push(...describeIssues(result.error, ''));

  // A bad top-level value that tenants inherit is reported once, at the top level.
  const badAtTop = new Set(result.success ? [] : result.error.issues.map((issue) => String(issue.path[0])));
  const tenants: Record<string, TenantConfig> = {};
  if (fileTenants !== undefined && (fileTenants === null || typeof fileTenants !== 'object' || Array.isArray(fileTenants))) {
    problems.push('IPENRICH_CONFIG tenants: must be an object keyed by tenant name');
  } else if (fileTenants) {
    for (const [name, raw] of Object.entries(fileTenants as Record<string, unknown>)) {
      const where = `IPENRICH_CONFIG tenants.${name}.`;
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) problems.push(`${where}: tenant names may hold letters, digits and _ . - only`);
      if (RESERVED_TENANT_NAMES.has(name)) problems.push(`IPENRICH_CONFIG tenants.${name}: "${name}" is reserved (a JavaScript object key); choose another name`);
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        problems.push(`${where}: must be an object`);
        continue;
      }
      const resolved = resolveFileIndirection(raw as Source, where, problems);
      for (const key of Object.keys(resolved)) {
        if (!TENANT_NAMES.has(key)) problems.push(`${where}${key}: not a per-tenant setting`);
      }
      registerSecretsOf(resolved);
      const own = pickKnown(resolved);
      const parsedTenant = tenantFields.safeParse({ ...inheritedBy(own, merged, { boundaries: false }), ...own });
      if (parsedTenant.success) tenants[name] = { name, ...parsedTenant.data };
      else problems.push(...describeIssues(parsedTenant.error, where, (setting) => Object.hasOwn(own, setting) || !badAtTop.has(setting)));
    }
  }

  if (result.success) {
    // The coalescing lock is also the bound on an in-flight call: it must outlast the call's timeout.
    const timeouts = [result.data.MDE_TIMEOUT_MS, ...Object.values(tenants).map((tenant) => tenant.MDE_TIMEOUT_MS)];
    if (Math.max(...timeouts) >= result.data.COALESCE_LOCK_MS) {
      problems.push(`COALESCE_LOCK_MS: must be longer than MDE_TIMEOUT_MS (${Math.max(...timeouts)} ms), or a slow call would be made twice`);
    }
  }

  const fromFile = new Set(Object.keys(tenants));
  if (result.success) {
    const defaultName = result.data.IPENRICH_DEFAULT_TENANT;
    // The default tenant is the top level itself unless the file names it.
    if (!tenants[defaultName]) {
      const top = tenantFields.safeParse(inheritedBy({}, merged, { boundaries: true }));
      if (top.success) tenants[defaultName] = { name: defaultName, ...top.data };
    }
    for (const tenant of Object.values(tenants)) {
      const where = fromFile.has(tenant.name) ? `IPENRICH_CONFIG tenants.${tenant.name}.` : '';
      problems.push(...connectorProblems(tenant, result.data).map((problem) => `${where}${problem}`));
    }
  }

  // A tenant's secrets are its own (registered above) or inherited from these.
  registerSecretsOf(merged);

  if (result.success && RESERVED_TENANT_NAMES.has(result.data.IPENRICH_DEFAULT_TENANT)) {
    problems.push(`IPENRICH_DEFAULT_TENANT: "${result.data.IPENRICH_DEFAULT_TENANT}" is reserved (a JavaScript object key); choose another name`);
  }
  if (problems.length > 0 || !result.success) {
    throw new IpenrichError('CONFIG_INVALID', `Invalid configuration: ${problems.join('; ')}`, {
      details: { problems },
    });
  }

  const parsed = result.data;
  for (const tenant of Object.values(tenants)) Object.freeze(tenant);
  return deepFreeze({ ...parsed, tenants: Object.freeze(tenants) });
}

/**
 * Each enabled connector's settings, checked as the connector will use them: what it requires, and
 * what its options say (files it reads, values that must fit together). A connector's problem names
 * the setting, never its value.
 */
function connectorProblems(tenant: TenantConfig, top: ParsedConfig): string[] {
  const problems: string[] = [];
  const enabled = new Set<string>(tenant.SINKS);
  // The webhook connector also signs per-alert callbacks whenever a secret is set.
  if (tenant.WEBHOOK_SECRET !== undefined) enabled.add('webhook');
  const settings = { ...tenant, HTTPS_PROXY: top.HTTPS_PROXY, NO_PROXY: top.NO_PROXY };
  for (const connector of CONNECTORS) {
    if (!enabled.has(connector.name)) continue;
    const missing = connector.required.filter((name) => settings[name] === undefined);
    if (missing.length > 0) {
      problems.push(`${missing.join(' and ')}: required when SINKS includes ${connector.name}`);
      continue;
    }
    try {
      connector.options(settings);
    } catch (error) {
      if (!isIpenrichError(error)) throw error;
      const listed = error.details?.problems;
      problems.push(...(Array.isArray(listed) ? listed.map(String) : [error.message]));
    }
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
