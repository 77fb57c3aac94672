import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, EnvHttpProxyAgent, interceptors, type Dispatcher } from 'undici';

/** An address checked before connecting (a per-alert callback's), used whatever DNS says later. */
interface PinnedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface DispatcherOptions {
  /** Proxy for https:// targets (http://host:port, optionally with user:password@). */
  readonly httpsProxy?: string | undefined;
  /** Proxy for plain http:// targets. */
  readonly httpProxy?: string | undefined;
  /** Comma list of hosts (`example.com`, `.example.com`, `host:port`, `*`) reached directly. */
  readonly noProxy?: string | undefined;
  /** An extra trusted CA (PEM) for targets with a private certificate authority, next to the public roots. */
  readonly ca?: string | undefined;
  /**
   * Connect to this address whatever the URL's host resolves to (TLS still checks the host name).
   * A pinned connection never goes through the proxy: the checked address is where it must land.
   */
  readonly pinned?: PinnedAddress | undefined;
  readonly keepAliveTimeoutMs?: number | undefined;
  /** Most parallel connections per origin (unlimited when absent). */
  readonly connectionsPerOrigin?: number | undefined;
}

function pinnedLookup({ address, family }: PinnedAddress): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * The undici dispatcher under every outbound call: keep-alive pools, the proxy with NO_PROXY, an
 * extra CA, an optional pinned address, and redirects returned rather than followed unless a request
 * asks (a token or a signed body must not wander to another host). Trust comes from Node's TLS
 * defaults, so NODE_EXTRA_CA_CERTS works unless `ca` is given.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  // An explicit `ca` replaces Node's roots, so the public ones are kept next to the extra one.
  const tls = options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] };
  const pool = {
    ...(options.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: options.keepAliveTimeoutMs }),
    ...(options.connectionsPerOrigin === undefined ? {} : { connections: options.connectionsPerOrigin }),
  };
  const base: Dispatcher =
    options.pinned === undefined
      ? new EnvHttpProxyAgent({
          // Empty strings (not undefined) keep undici from reading the environment itself: only src/config does.
          httpsProxy: options.httpsProxy ?? '',
          httpProxy: options.httpProxy ?? '',
          noProxy: options.noProxy ?? '',
          ...pool,
          ...(options.ca === undefined ? {} : { connect: tls, requestTls: tls }),
        })
      : new Agent({ ...pool, connect: { ...tls, lookup: pinnedLookup(options.pinned) } });
  return base.compose(interceptors.redirect({ maxRedirections: 0 }));
}
