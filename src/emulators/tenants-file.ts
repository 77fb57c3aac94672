import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What each tenant of an emulator tenants file takes from the given environment when it is there. */
const COPIED = [
  'MDE_TENANT_ID',
  'MDE_CLIENT_ID',
  'MDE_CLIENT_SECRET',
  'MDE_AUTHORITY_HOST',
  'MDE_API_BASE_URL',
  // Boundary settings are never inherited by a tenant of the file: spelled out for each.
  'WEBHOOK_SECRET',
  'WEBHOOK_CALLBACK_ALLOWLIST',
  'WEBHOOK_ALLOW_PRIVATE_CALLBACKS',
];

/**
 * An IPENRICH_CONFIG file (in a new temporary folder) whose tenants all use the emulators' Defender
 * client (the Defender emulator accepts any tenant) and the given webhook settings, for tests and
 * benchmarks with several tenants. Returns its path.
 */
export function writeEmulatorTenantsFile(tenantNames: readonly string[], env: Readonly<Record<string, string | undefined>>): string {
  const tenant = Object.fromEntries(COPIED.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
  const path = join(mkdtempSync(join(tmpdir(), 'ipe-tenants-')), 'ipenrich.json');
  writeFileSync(path, JSON.stringify({ tenants: Object.fromEntries(tenantNames.map((name) => [name, tenant])) }));
  return path;
}
