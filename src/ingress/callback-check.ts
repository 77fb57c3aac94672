import { checkCallbackUrl, systemResolveHost, type ResolveHost } from '../../connectors/webhook/callback-target.js';
import type { Config } from '../config/load.js';
import { tenantNamed } from '../config/tenant-named.js';
import { hasCode, IpenrichError } from '../errors.js';

/** Refuses (CALLBACK_URL_REFUSED) a callback URL the tenant's webhook sink would refuse later. */
export type CallbackCheck = (url: string, tenant: string) => Promise<void>;

/**
 * The tenant's webhook sink rules (its own allowlist, https, public addresses only), applied at the
 * door so the caller hears about a refused callback URL now rather than finding the job in the DLQ.
 * A DNS failure is not a refusal: it may be transient, and the worker resolves again when it delivers.
 */
export function callbackCheckFromConfig(config: Config, resolveHost: ResolveHost = systemResolveHost): CallbackCheck {
  return async (url, tenantName) => {
    const tenant = tenantNamed(config, tenantName);
    if (!tenant) throw new IpenrichError('TENANT_UNKNOWN', `tenant "${tenantName}" is not configured`);
    const policy = { allowlist: tenant.WEBHOOK_CALLBACK_ALLOWLIST, allowPrivate: tenant.WEBHOOK_ALLOW_PRIVATE_CALLBACKS };
    if (tenant.WEBHOOK_SECRET === undefined) {
      throw new IpenrichError('CALLBACK_URL_REFUSED', 'callback URLs need WEBHOOK_SECRET (callbacks are signed); none is configured');
    }
    try {
      await checkCallbackUrl(url, policy, resolveHost);
    } catch (error) {
      if (hasCode(error, 'CALLBACK_URL_REFUSED')) throw error;
    }
  };
}
