import { budgetOwners } from '../config/budget-owners.js';
import type { Config } from '../config/load.js';
import { tenantNamed } from '../config/tenant-named.js';
import { IpenrichError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import { keySpace } from '../redis/keys.js';
import type { HuntingClient } from '../enrich/hunting/hunting-client.js';
import { createHuntingRoute, huntingBudget, type HuntingMetrics, type HuntingRoute } from '../enrich/hunting/hunting-route.js';

/**
 * runHuntingQuery's limit per query, 3 minutes (https://learn.microsoft.com/en-us/defender-xdr/api-advanced-hunting;
 * docs/hunting.md, "Budget and quotas"): the in-flight bound of an unsettled hunting call.
 */
const QUERY_LIMIT_MS = 180_000;

/**
 * The hunting budget each tenant spends. Graph's limits are per tenant, the Entra tenant ("calls per minute per tenant",
 * https://learn.microsoft.com/en-us/defender-xdr/api-advanced-hunting), so tenants of ipenrich with one Entra tenant share one
 * hunting budget whatever MDE_BUDGET_SCOPE says about Defender's.
 */
export function huntingBudgetOf(config: Config): (tenant: string) => string {
  const owners = budgetOwners({ ...config, MDE_BUDGET_SCOPE: 'tenant' });
  return (tenant) => huntingBudget(owners(tenant));
}

/**
 * The hunting route with every setting from the configuration.
 */
export function createHuntingRouteFromConfig(
  config: Config,
  redis: Redis,
  clientFor: (tenant: string) => HuntingClient,
  options: { logger?: Logger; metrics?: HuntingMetrics } = {},
): HuntingRoute {
  return createHuntingRoute({
    redis,
    keys: keySpace(config.IPENRICH_PREFIX),
    windows: config.GRAPH_HUNTING_LIMITS,
    safetyMs: config.MDE_RATE_SAFETY_MS,
    inflightMs: QUERY_LIMIT_MS,
    cpuCycleMs: config.GRAPH_HUNTING_CPU_CYCLE_S * 1000,
    settingsOf: (name) => {
      const tenant = tenantNamed(config, name);
      if (!tenant) throw new IpenrichError('CONFIG_INVALID', `unknown tenant "${name}"`);
      return tenant;
    },
    clientFor,
    budgetOf: huntingBudgetOf(config),
    ...options,
  });
}
