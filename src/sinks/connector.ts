import type { z } from 'zod';
import type { AccessTokenSource } from '../auth/access-token-source.js';
import type { Cloud } from '../auth/cloud.js';
import type { EntraSettings } from '../auth/credential.js';
import type { Sink } from './port.js';

/** The tenant's own sign-in settings a connector's identity may build on (its name, cloud, timeouts). */
export type TenantSignIn = Pick<EntraSettings, 'name' | 'MDE_CLOUD' | 'MDE_CERTIFICATE_SEND_X5C' | 'MDE_AUTHORITY_HOST' | 'MDE_TIMEOUT_MS'>;

/** Settings a connector may read besides its own: the outbound proxy, and the tenant's cloud. */
interface SharedSettings {
  readonly HTTPS_PROXY?: string | undefined;
  readonly NO_PROXY?: string | undefined;
  readonly MDE_CLOUD: Cloud;
}

/** The hash commands a connector may use for state every worker shares (an ioredis client has them). */
interface SharedHashCommands {
  hexists(key: string, field: string): Promise<number>;
  hset(key: string, field: string, value: string): Promise<number>;
  hdel(key: string, field: string): Promise<number>;
}

/** One window of a shared rate limit: at most `max` calls in any `windowMs`. */
export interface RateLimitWindow {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * A rate limit every worker shares through Redis (the same multi-window limiter as Defender's
 * budget): a call goes out only once `acquire` admits it, and is settled when its answer is back.
 */
export interface SharedRateLimiter {
  acquire(key: string): Promise<{ readonly admitted: true; readonly ticket: string } | { readonly admitted: false; readonly waitMs: number }>;
  settle(key: string, ticket: string): Promise<void>;
  /** After a 429 anyway: nobody calls for `durationMs` under this key. */
  cooldown(key: string, durationMs: number): Promise<void>;
}

/** What a connector gets besides its options: nothing specific to one connector. */
export interface ConnectorDeps {
  /** Entra ID tokens for connectors that call Azure; built on first use. */
  readonly tokens: () => AccessTokenSource;
  /** Redis hashes shared by every worker: `key(name)` is this connector's hash of that name. */
  readonly sharedHash: { readonly redis: SharedHashCommands; readonly key: (name: string) => string };
  /** A shared rate limit named by this connector (e.g. `arm-writes`) with the given windows. */
  readonly rateLimiter: (name: string, windows: readonly RateLimitWindow[]) => SharedRateLimiter;
}

/**
 * How a destination declares itself. `settings` (keyed by the environment names) is part of the one
 * configuration schema, so the names work in the environment, the IPENRICH_CONFIG file and per
 * tenant; when the connector is enabled (SINKS), configuration checks `required` and `options` up
 * front and lists every problem in one CONFIG_INVALID message.
 */
export interface ConnectorDescriptor<Name extends string, Shape extends z.ZodRawShape, Options> {
  /** Its name in SINKS. */
  readonly name: Name;
  readonly settings: z.ZodObject<Shape>;
  /** Settings that must be set when the connector is enabled. */
  readonly required: readonly (keyof Shape & string)[];
  /** Settings whose values are secrets: never echoed, scrubbed from every message. */
  readonly secrets: readonly (keyof Shape & string)[];
  /**
   * Settings that draw a tenant's boundary (a signing secret, where it may write): a tenant in
   * IPENRICH_CONFIG never inherits them from the top level, so one customer's are never another's.
   */
  readonly ownOnly: readonly (keyof Shape & string)[];
  /** The connector's options from the parsed settings; throws CONFIG_INVALID saying what is wrong. */
  options(settings: z.output<z.ZodObject<Shape>> & SharedSettings): Options;
  /**
   * The Entra sign-in `deps.tokens()` uses, when the connector's settings name one of its own (e.g.
   * Sentinel in another cloud); absent or undefined: the tenant's own credential.
   */
  identity?(settings: z.output<z.ZodObject<Shape>> & SharedSettings & TenantSignIn): EntraSettings | undefined;
  create(options: Options, deps: ConnectorDeps): Sink;
}

/** A declared connector, with the one step its users need: the sink from parsed settings. */
export interface Connector<Name extends string, Shape extends z.ZodRawShape, Options> extends ConnectorDescriptor<Name, Shape, Options> {
  sink(settings: z.output<z.ZodObject<Shape>> & SharedSettings, deps: ConnectorDeps): Sink;
}

/** Keeps a descriptor's types together (settings ↔ options ↔ create) where it is declared. */
export function defineConnector<const Name extends string, Shape extends z.ZodRawShape, Options>(
  descriptor: ConnectorDescriptor<Name, Shape, Options>,
): Connector<Name, Shape, Options> {
  return { ...descriptor, sink: (settings, deps) => descriptor.create(descriptor.options(settings), deps) };
}
