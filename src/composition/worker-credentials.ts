import { credentialFor } from '../auth/credential.js';
import type { Config } from '../config/load.js';
import { IpenrichError, toIpenrichError } from '../errors.js';

/**
 * Every tenant's Entra credential, checked as the worker will build it, before the worker starts: one
 * missing would otherwise pass for a healthy worker and dead-letter each of that tenant's alerts with
 * CONFIG_INVALID (an empty MDE_TENANT_ID in a ConfigMap, an optional Secret key that is absent).
 */
export function checkWorkerCredentials(config: Config): void {
  const problems: string[] = [];
  for (const tenant of Object.values(config.tenants)) {
    try {
      credentialFor(tenant);
    } catch (thrown) {
      problems.push(toIpenrichError(thrown).message);
    }
  }
  if (problems.length > 0) throw new IpenrichError('CONFIG_INVALID', problems.join('; '));
}
