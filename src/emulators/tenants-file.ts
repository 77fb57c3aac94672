import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntraEmulator } from './entra.js';

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
 * An IPENRICH_CONFIG file (in a new temporary folder) whose tenants use the emulators' Defender client
 * (the Defender emulator accepts any tenant) and the given webhook settings, for tests and benchmarks
 * with several tenants. With `entra`, each tenant gets an Entra tenant and app registration of its own,
 * as each customer of an MSSP has: the Defender emulator then keeps a separate API budget for each
 * (it counts per tenant and application), instead of one budget all of them share. Returns its path.
 */
export function writeEmulatorTenantsFile(tenantNames: readonly string[], env: Readonly<Record<string, string | undefined>>, entra?: EntraEmulator): string {
  const shared = Object.fromEntries(COPIED.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
  const own = (): Record<string, string> => {
    if (!entra) return {};
    const registration = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url') };
    entra.register({ tenantId: registration.tenantId, clientId: registration.clientId, secrets: [registration.clientSecret] });
    return { MDE_TENANT_ID: registration.tenantId, MDE_CLIENT_ID: registration.clientId, MDE_CLIENT_SECRET: registration.clientSecret };
  };
  const path = join(mkdtempSync(join(tmpdir(), 'ipe-tenants-')), 'ipenrich.json');
  writeFileSync(path, JSON.stringify({ tenants: Object.fromEntries(tenantNames.map((name) => [name, { ...shared, ...own() }])) }));
  return path;
}
