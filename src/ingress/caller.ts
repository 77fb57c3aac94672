import type { FastifyRequest } from 'fastify';
import { IpenrichError } from '../errors.js';

/** Who sent a request, once authenticated. */
export interface Caller {
  /** Key id, signing secret id, or `insecure`: for logs and the rate limit, never a secret. */
  readonly id: string;
  /** Set for a tenant-bound key or secret: the only tenant this caller may act for. */
  readonly tenant: string | undefined;
  readonly via: 'header' | 'query-token' | 'signature' | 'insecure';
}

export interface TenantChoice {
  readonly tenants: readonly string[];
  readonly defaultTenant: string;
}

/**
 * The tenant a request acts for. A bound caller gets its own tenant and is refused any other (an
 * MSSP customer's key cannot enqueue for another customer); an operator may name any configured one.
 */
export function tenantFor(caller: Caller, requested: string | undefined, choice: TenantChoice): string {
  // The body and query checks make it a string; should a value ever slip past them, it is the
  // request's mistake (400), not a TypeError (500).
  if (requested !== undefined && typeof requested !== 'string') throw new IpenrichError('INPUT_INVALID', `a tenant is a name (a string), got ${typeof requested}`);
  if (caller.tenant !== undefined) {
    if (requested !== undefined && requested !== caller.tenant) {
      throw new IpenrichError('FORBIDDEN', `this API key is bound to tenant "${caller.tenant}" and cannot act for "${requested}"`);
    }
    return caller.tenant;
  }
  const tenant = requested ?? choice.defaultTenant;
  if (!choice.tenants.includes(tenant)) {
    throw new IpenrichError('TENANT_UNKNOWN', `unknown tenant "${tenant.slice(0, 64)}" (configured: ${choice.tenants.join(', ')})`);
  }
  return tenant;
}

/** The caller the auth hooks attached; every route but the public ones runs after them. */
export function requireCaller(request: FastifyRequest): Caller {
  if (!request.caller) throw new IpenrichError('INTERNAL', 'route reached without an authenticated caller');
  return request.caller;
}
