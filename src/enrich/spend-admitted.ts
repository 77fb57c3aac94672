import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { RateLimiter } from './limiter.js';

/**
 * Runs `call` as one call admitted by the shared limiter: waits (sleeping) until the tenant's budget
 * admits it, then settles it whatever happened. For one-off callers that may wait (`calibrate`);
 * the enricher has its own deadline-aware loop.
 */
export async function spendAdmitted<T>(limiter: RateLimiter, tenant: string, call: () => Promise<T>, options: { logger?: Logger; signal?: AbortSignal } = {}): Promise<T> {
  for (;;) {
    options.signal?.throwIfAborted();
    const admission = await limiter.acquire(tenant);
    if (!admission.admitted) {
      await sleep(admission.waitMs, undefined, options.signal ? { signal: options.signal } : {});
      continue;
    }
    try {
      return await call();
    } finally {
      await limiter.settle(tenant, admission.ticket).catch((error: unknown) => options.logger?.warn({ err: error, tenant }, 'could not settle an API call in the limiter'));
    }
  }
}
