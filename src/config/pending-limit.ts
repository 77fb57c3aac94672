import type { Config } from './load.js';
import { tenantNamed } from './tenant-named.js';

/** TENANT_MAX_PENDING_ALERTS of each tenant: its own, else the top level's (0: no limit). */
export function pendingLimitOf(config: Config): (tenant: string) => number {
  return (tenant) => tenantNamed(config, tenant)?.TENANT_MAX_PENDING_ALERTS ?? config.TENANT_MAX_PENDING_ALERTS;
}
