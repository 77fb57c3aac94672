import { readFileSync } from 'node:fs';

/**
 * The benchmark's alert: the bundled Sentinel SecurityAlert sample (examples/alerts/47…), a real
 * format with JSON-in-string entities, one public and one private IP. Each copy gets its own
 * SystemAlertId (its job id, so no copy is a duplicate) and one public IP from a small pool, so
 * every lookup can be answered from a warm cache.
 */
const TEMPLATE = readFileSync(new URL('../../examples/alerts/47-sentinel-securityalert-ip-entities-constructed.json', import.meta.url), 'utf8');
const TEMPLATE_ID = '0b6f5a3e-91c2-4f8e-b1aa-5d0e8c3f7a21';
const TEMPLATE_PUBLIC_IP = '185.220.101.47';

/** The public IPs the alerts draw from: `pool` addresses in 185.220.100.0/22. */
export function ipPool(pool: number): string[] {
  if (pool < 1 || pool > 1_000) throw new Error(`ipPool: pool must be 1–1000, got ${pool}`);
  return Array.from({ length: pool }, (_, i) => `185.220.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`);
}

/** Alert `n` of a batch named `batch`: a unique id, and IP number n of the pool (round robin). */
export function benchAlert(batch: string, n: number, pool: readonly string[]): unknown {
  const ip = pool[n % pool.length];
  if (ip === undefined) throw new Error('benchAlert: empty IP pool');
  const id = `${batch}-${String(n).padStart(8, '0')}`;
  return JSON.parse(TEMPLATE.replaceAll(TEMPLATE_ID, id).replaceAll(TEMPLATE_PUBLIC_IP, ip)) as unknown;
}
