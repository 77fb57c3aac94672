import { rootCertificates } from 'node:tls';
import type { LookupFunction } from 'node:net';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { IpenrichError } from '../../src/errors.js';
import type { ResolvedAddress } from './callback-target.js';
import { describeUrl } from './safe-url.js';

/**
 * The webhook's HTTP calls (undici): keep-alive connections, an optional extra CA and proxy, never a
 * redirect (undici's `request` does not follow them), one deadline per attempt, and a dispatcher
 * pinned to the checked address for callbacks. Not src/http's shared transport on purpose: that one
 * reads the whole body before returning the status, so a 2xx whose body breaks off would surface as
 * a network error and be re-sent; here a 2xx is final as soon as the status line arrives.
 */
export interface DispatcherOptions {
  readonly ca?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
  /** Connect to this address whatever the URL's host resolves to (TLS still checks the host name). */
  readonly pinned?: ResolvedAddress;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  // An explicit `ca` replaces Node's roots, so the public ones are kept next to the extra one.
  const tls = options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] };
  if (options.pinned !== undefined) {
    const { address, family } = options.pinned;
    const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    };
    return new Agent({ connect: { ...tls, lookup: pinnedLookup } });
  }
  if (options.httpsProxy !== undefined) {
    // Explicit values (empty strings, not undefined) keep undici from reading the environment itself.
    return new EnvHttpProxyAgent({ httpsProxy: options.httpsProxy, httpProxy: '', noProxy: options.noProxy ?? '', connect: tls, requestTls: tls });
  }
  return new Agent({ connect: tls });
}

export interface OutgoingRequest {
  readonly url: URL;
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends one request with a deadline. Network failures and the deadline become SINK_UNAVAILABLE;
 * the caller's abort becomes SINK_UNAVAILABLE with `details.aborted` (the job is retried later).
 */
export async function send(
  dispatcher: Dispatcher,
  outgoing: OutgoingRequest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Dispatcher.ResponseData> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    return await request(outgoing.url, {
      method: outgoing.method,
      headers: outgoing.headers,
      body: outgoing.body,
      dispatcher,
      signal: combined,
    });
  } catch (error) {
    throw transportError(error, outgoing.url, timeoutMs, signal, deadline);
  }
}

export function transportError(
  error: unknown,
  url: URL,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  deadline: AbortSignal,
): IpenrichError {
  const where = describeUrl(url);
  if (signal?.aborted) {
    return new IpenrichError('SINK_UNAVAILABLE', `Delivery to ${where} aborted`, { cause: error, details: { aborted: true } });
  }
  if (deadline.aborted) {
    return new IpenrichError('SINK_UNAVAILABLE', `No answer from ${where} within ${timeoutMs} ms`, { cause: error, details: { timeout: true } });
  }
  const code = (error as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : 'connection failed';
  return new IpenrichError('SINK_UNAVAILABLE', `Connection to ${where} failed (${reason})`, { cause: error });
}

/**
 * The start of a response body as one line, for error messages; unreadable bodies give ''.
 * A receiver may echo what it got (headers, a misconfigured secret), so `secrets` are masked.
 */
export async function readReason(body: Dispatcher.ResponseData['body'], secrets: readonly string[], maxChars = 300): Promise<string> {
  try {
    let line = (await body.text()).replace(/\s+/g, ' ').trim();
    for (const secret of secrets) if (secret.length > 0) line = line.split(secret).join('[REDACTED]');
    return line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
  } catch {
    return '';
  }
}

/** Drains a body we do not need, so the connection returns to the pool; a broken body is ignored. */
export async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump();
  } catch {
    // The status already decided the outcome; a body that fails to arrive changes nothing.
  }
}
