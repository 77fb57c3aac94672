import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { parseRetryAfter } from '../http/retry-after.js';
import { summarizeRequest } from '../http/request-summary.js';
import type { HttpTransport } from '../http/transport.js';
import { HttpTransportError } from '../http/transport-error.js';
import { isTemporaryStatus } from '../http/temporary-status.js';

/**
 * Why the token endpoint gave no usable answer. Thrown from the network client as an AuthError
 * subclass because msal-node passes AuthErrors through unchanged (anything else becomes a bare
 * "network_error"), so the token source can map it precisely.
 */
export type TokenEndpointProblem =
  | { readonly kind: 'transport'; readonly error: HttpTransportError }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterMs: number | undefined; readonly url: string }
  | { readonly kind: 'unreadable'; readonly status: number; readonly url: string };

export class TokenEndpointUnavailable extends AuthError {
  readonly problem: TokenEndpointProblem;

  constructor(problem: TokenEndpointProblem) {
    const text =
      problem.kind === 'transport'
        ? problem.error.message
        : problem.kind === 'status'
          ? `${problem.url} answered HTTP ${problem.status}`
          : `${problem.url} answered HTTP ${problem.status} with a body that is not JSON`;
    super('ipenrich_token_endpoint_unavailable', '', text);
    // AuthError's constructor pins the prototype to itself; restore ours so instanceof works.
    Object.setPrototypeOf(this, TokenEndpointUnavailable.prototype);
    this.name = 'TokenEndpointUnavailable';
    this.problem = problem;
  }
}

/**
 * msal-node's `system.networkClient` on top of the shared transport, so token requests use the same
 * proxy, keep-alive pool, deadline and trust as every other call (msal's own client is bare fetch).
 *
 * Temporary answers (408, 429, 5xx: the one rule in src/http/temporary-status.ts) are thrown instead of
 * returned: for 429 and 5xx msal would otherwise store a throttle entry and refuse identical requests locally
 * for up to an hour (@azure/msal-common/src/network/ThrottlingUtils.ts, DEFAULT_MAX_THROTTLE_TIME_SECONDS
 * in src/utils/Constants.ts); retries belong to the worker.
 */
export class MsalNetworkClient implements INetworkModule {
  constructor(
    private readonly transport: HttpTransport,
    private readonly timeoutMs: number,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    const headers = options?.headers ?? {};
    let response;
    try {
      response = await this.transport.request({
        method,
        url,
        headers,
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        timeoutMs: timeout && timeout > 0 ? Math.min(timeout, this.timeoutMs) : this.timeoutMs,
      });
    } catch (error) {
      if (error instanceof HttpTransportError) throw new TokenEndpointUnavailable({ kind: 'transport', error });
      throw error;
    }
    const where = summarizeRequest({ method, url }).url;
    if (isTemporaryStatus(response.status)) {
      throw new TokenEndpointUnavailable({ kind: 'status', status: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after']), url: where });
    }
    let body: T;
    try {
      body = JSON.parse(response.body.toString('utf8')) as T;
    } catch {
      throw new TokenEndpointUnavailable({ kind: 'unreadable', status: response.status, url: where });
    }
    return { status: response.status, headers: { ...response.headers }, body };
  }
}
