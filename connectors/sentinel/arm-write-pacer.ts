import { IpenrichError } from '../../src/errors.js';
import { abortableSleep } from '../../src/http/retry-policy.js';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import type { HttpResponse } from '../../src/http/transport.js';
import type { SharedRateLimiter } from '../../src/sinks/connector.js';

/** Cooldown after a 429 that named no Retry-After: one ARM write window is the safe guess. */
const DEFAULT_COOLDOWN_MS = 60_000;

export interface ArmWritePacer {
  /** Runs one ARM write once the subscription's shared window admits it; a 429 anyway cools the subscription down. */
  write(subscriptionId: string, send: () => Promise<HttpResponse>, signal: AbortSignal | undefined): Promise<HttpResponse>;
}

/**
 * ARM writes paced under Sentinel's per-subscription limits (PUT comments 75 and PUT incident 75 per
 * 5 minutes, https://learn.microsoft.com/en-us/rest/api/securityinsights/request-limits-and-throttling),
 * shared by every worker through Redis. A wait up to `maxInProcessWaitMs` (in total) happens here;
 * a longer one becomes SINK_UNAVAILABLE with `retryAfterMs`, so the worker defers the job instead of
 * holding a slot (parts already written are in the delivery progress and are not sent again).
 */
export function armWritePacer(limiter: SharedRateLimiter, what: string, maxInProcessWaitMs: number, now: () => number): ArmWritePacer {
  async function admit(key: string, signal: AbortSignal | undefined): Promise<string> {
    let waited = 0;
    for (;;) {
      const admission = await limiter.acquire(key);
      if (admission.admitted) return admission.ticket;
      if (waited + admission.waitMs > maxInProcessWaitMs) {
        throw new IpenrichError('SINK_UNAVAILABLE', `${what} deferred: the subscription's Azure Resource Manager write limit is used up for ${admission.waitMs} ms`, {
          retryAfterMs: admission.waitMs,
          details: { throttledBy: what, subscriptionId: key },
        });
      }
      try {
        await abortableSleep(admission.waitMs, signal);
      } catch (error) {
        throw new IpenrichError('SINK_UNAVAILABLE', `${what} aborted while waiting for the write limit`, { cause: error, details: { aborted: true } });
      }
      waited += admission.waitMs;
    }
  }

  return {
    async write(subscriptionId, send, signal) {
      const key = subscriptionId.toLowerCase();
      const ticket = await admit(key, signal);
      try {
        const response = await send();
        if (response.status === 429) {
          await limiter.cooldown(key, parseRetryAfter(response.headers['retry-after'], now()) ?? DEFAULT_COOLDOWN_MS);
        }
        return response;
      } finally {
        await limiter.settle(key, ticket);
      }
    },
  };
}
