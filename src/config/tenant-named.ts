import type { Config, TenantConfig } from './load.js';

/**
 * A configured tenant by name, or undefined. Names come from callers and alerts: an own-property
 * check keeps `constructor` or `toString` from matching what every object inherits.
 */
export function tenantNamed(config: Config, name: string): TenantConfig | undefined {
  return Object.hasOwn(config.tenants, name) ? config.tenants[name] : undefined;
}
