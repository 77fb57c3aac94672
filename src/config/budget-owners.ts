import type { Config, TenantConfig } from './load.js';

/**
 * Which API budget each tenant spends. Defender's limits (100 calls a minute, 1,500 an hour:
 * https://learn.microsoft.com/en-us/defender-endpoint/api/get-ip-statistics) belong to whatever Defender counts
 * them against, and Microsoft does not say whether that is the Entra tenant, the application or both
 * (unconfirmed; docs/mssp.md, "Tenants on one Defender credential share one budget"). Two ipenrich tenants whose
 * credentials fall in the same scope — two business units of one customer on the same app, say —
 * spend one budget: counted apart, together they would exceed it and get 429s.
 *
 * `MDE_BUDGET_SCOPE` picks the scope: `tenant` (default, the safe choice when unsure: apps in one
 * Entra tenant share), `tenant-app`, or `app` (one app across every customer shares). Tenants in one
 * scope use the budget of the first of them by name; a tenant alone in its scope keeps its own name,
 * so its limiter keys do not change.
 */
export function budgetOwners(config: Config): (tenant: string) => string {
  const byScope = new Map<string, string[]>();
  for (const tenant of Object.values(config.tenants)) {
    const scope = scopeOf(tenant, config.MDE_BUDGET_SCOPE);
    if (scope === undefined) continue;
    byScope.set(scope, [...(byScope.get(scope) ?? []), tenant.name]);
  }
  const owner = new Map<string, string>();
  for (const names of byScope.values()) {
    const first = [...names].sort()[0];
    if (first !== undefined) for (const name of names) owner.set(name, first);
  }
  return (tenant) => owner.get(tenant) ?? tenant;
}

/** The scope a tenant's credential falls in, or undefined when it names too little to compare. */
function scopeOf(tenant: TenantConfig, scope: Config['MDE_BUDGET_SCOPE']): string | undefined {
  // One Defender service per cloud and API host: a tenant id in another cloud is another budget.
  const service = tenant.MDE_API_BASE_URL ?? tenant.MDE_CLOUD;
  const entraTenant = tenant.MDE_TENANT_ID?.toLowerCase();
  const app = (tenant.MDE_CLIENT_ID ?? tenant.MDE_MANAGED_IDENTITY)?.toLowerCase();
  if (scope === 'tenant') return entraTenant === undefined ? undefined : `${service}|${entraTenant}`;
  if (scope === 'app') return app === undefined ? undefined : `${service}|${app}`;
  return entraTenant === undefined || app === undefined ? undefined : `${service}|${entraTenant}|${app}`;
}
