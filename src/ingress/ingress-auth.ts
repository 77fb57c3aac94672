import ipaddr from 'ipaddr.js';
import type { Config } from '../config/load.js';
import { IpenrichError } from '../errors.js';
import { parseApiKeys, type ApiKey } from './api-keys.js';
import { parseSigningSecrets, type SigningSecret } from './signing-secrets.js';

/** How the ingress authenticates callers; built once at start from configuration. */
export interface IngressAuth {
  readonly keys: readonly ApiKey[];
  readonly secrets: readonly SigningSecret[];
  /** INGRESS_INSECURE_NO_AUTH on a loopback host: requests without credentials act as an operator. */
  readonly insecure: boolean;
  /** INGRESS_ALLOW_QUERY_TOKEN: `?token=` on the POST endpoints that opt in. */
  readonly allowQueryToken: boolean;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (!ipaddr.isValid(bare)) return false;
  let address = ipaddr.parse(bare);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  return address.range() === 'loopback';
}

/**
 * True when a Host header names this machine's loopback (`localhost`, `127.0.0.1`, `[::1]`, any
 * port). Insecure mode answers only those: a browser page on another site that resolves its own
 * name to 127.0.0.1 (DNS rebinding) sends its own name as Host, not one of these.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (host === undefined) return false;
  const bracketed = /^(\[[^\]]+\])(?::\d+)?$/.exec(host);
  if (bracketed?.[1]) return isLoopbackHost(bracketed[1]);
  const plain = /^([^:]+)(?::\d+)?$/.exec(host);
  return plain?.[1] !== undefined && isLoopbackHost(plain[1].toLowerCase());
}

/**
 * Refuses to start an ingress anyone could use: without keys or signing secrets it runs only when
 * INGRESS_INSECURE_NO_AUTH=true, and then only on a loopback host (the demo, local development).
 */
export function ingressAuthFromConfig(config: Config): IngressAuth {
  const tenants = Object.keys(config.tenants);
  const { keys, problems } = parseApiKeys(config.INGRESS_API_KEYS, tenants);
  const signing = parseSigningSecrets(config.INGRESS_SIGNING_SECRETS, tenants);
  problems.push(...signing.problems);
  const insecure = config.INGRESS_INSECURE_NO_AUTH;
  if (insecure && !isLoopbackHost(config.INGRESS_HOST)) {
    problems.push(`INGRESS_INSECURE_NO_AUTH is allowed on a loopback host only (INGRESS_HOST=${config.INGRESS_HOST}); configure INGRESS_API_KEYS instead`);
  }
  if (!insecure && keys.length === 0 && signing.secrets.length === 0 && problems.length === 0) {
    problems.push('the ingress needs INGRESS_API_KEYS (or INGRESS_SIGNING_SECRETS); `ipenrich serve --new-key` makes a key. For local use only: INGRESS_INSECURE_NO_AUTH=true on INGRESS_HOST=127.0.0.1');
  }
  if (problems.length > 0) throw new IpenrichError('CONFIG_INVALID', `Invalid ingress configuration: ${problems.join('; ')}`, { details: { problems } });
  return Object.freeze({ keys, secrets: signing.secrets, insecure, allowQueryToken: config.INGRESS_ALLOW_QUERY_TOKEN });
}
