import {
  ConfidentialClientApplication,
  LogLevel,
  ManagedIdentityApplication,
  type AuthenticationResult,
  type Configuration,
  type NodeSystemOptions,
} from '@azure/msal-node';
import type { Cloud } from './cloud.js';
import { IpenrichError } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';
import type { Logger } from '../log.js';
import type { AccessToken, AccessTokenSource } from './access-token-source.js';
import { toAuthError, type TokenRequestContext } from './auth-error.js';
import { authorityFor } from './authority.js';
import type { EntraCredential } from './credential.js';
import { MsalNetworkClient } from './msal-network-client.js';

export interface MsalTokenSourceOptions {
  /** ipenrich's name for the tenant, for messages. */
  readonly tenantName: string;
  readonly credential: EntraCredential;
  readonly cloud: Cloud;
  /** MDE_AUTHORITY_HOST; the cloud's login host when absent. */
  readonly authorityHost?: string | undefined;
  readonly transport: HttpTransport;
  /** Deadline per token-endpoint request. */
  readonly timeoutMs: number;
  readonly logger?: Logger;
}

type Acquire = (scope: string, forceRefresh: boolean) => Promise<AuthenticationResult | null>;

/** msal-node's own log lines at our logger's verbosity (never with PII), so LOG_LEVEL=trace shows its steps. */
function msalLogger(logger: Logger | undefined): NonNullable<NodeSystemOptions['loggerOptions']> {
  return {
    piiLoggingEnabled: false,
    logLevel: logger?.isLevelEnabled('trace') ? LogLevel.Verbose : logger?.isLevelEnabled('debug') ? LogLevel.Info : LogLevel.Warning,
    loggerCallback: (level: LogLevel, message: string) => {
      if (!logger) return;
      if (level === LogLevel.Error) logger.warn({ component: 'msal' }, message);
      else if (level === LogLevel.Verbose || level === LogLevel.Trace) logger.trace({ component: 'msal' }, message);
      else logger.debug({ component: 'msal' }, message);
    },
  };
}

/** msal-node's client for one credential; built once so its in-memory token cache is reused. */
function acquirerFor(options: MsalTokenSourceOptions): Acquire {
  const { credential } = options;
  const system = {
    networkClient: new MsalNetworkClient(options.transport, options.timeoutMs),
    // The worker retries AUTH_UNAVAILABLE with backoff; retries inside msal would hide time from it.
    disableInternalRetries: true,
    loggerOptions: msalLogger(options.logger),
  };
  if (credential.kind === 'managed-identity') {
    const app = new ManagedIdentityApplication({
      ...(credential.clientId === undefined ? {} : { managedIdentityIdParams: { userAssignedClientId: credential.clientId } }),
      system,
    });
    return (scope, forceRefresh) => app.acquireToken({ resource: scope.replace(/\/\.default$/, ''), forceRefresh });
  }
  const authority = authorityFor({ MDE_CLOUD: options.cloud, MDE_AUTHORITY_HOST: options.authorityHost }, credential.tenantId);
  const auth: Configuration['auth'] = {
    clientId: credential.clientId,
    authority: authority.authority,
    knownAuthorities: [...authority.knownAuthorities],
    ...(authority.authorityMetadata === undefined ? {} : { authorityMetadata: authority.authorityMetadata }),
    ...(credential.kind === 'secret'
      ? { clientSecret: credential.clientSecret }
      : {
          clientCertificate: {
            thumbprintSha256: credential.certificate.thumbprintSha256,
            privateKey: credential.certificate.privateKey,
            ...(credential.sendX5c ? { x5c: credential.certificate.certificateChainPem } : {}),
          },
        }),
  };
  const app = new ConfidentialClientApplication({ auth, system });
  return (scope, forceRefresh) => app.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
}

/** Stops waiting when the caller aborts; msal's request runs on and its token lands in the cache. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * AccessTokenSource backed by msal-node: client secret, certificate, or managed identity. Tokens come
 * from msal's in-memory cache until 5 minutes before expiry; `forceRefresh` skips the cache (used
 * once after a 401). Concurrent requests for the same scope share one token request, so a burst of
 * jobs at start-up costs Entra ID one call, not one per job.
 */
export class MsalTokenSource implements AccessTokenSource {
  readonly #acquire: Acquire;
  readonly #context: TokenRequestContext;
  readonly #inFlight = new Map<string, Promise<AccessToken>>();

  constructor(options: MsalTokenSourceOptions) {
    this.#context = { tenant: options.tenantName, credential: options.credential.kind };
    try {
      this.#acquire = acquirerFor(options);
    } catch (error) {
      throw toAuthError(error, this.#context);
    }
  }

  getAccessToken(scope: string, options: { forceRefresh?: boolean; signal?: AbortSignal } = {}): Promise<AccessToken> {
    const forceRefresh = options.forceRefresh === true;
    const key = `${forceRefresh ? 'refresh' : 'cached'} ${scope}`;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#request(scope, forceRefresh).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return abortable(pending, options.signal);
  }

  async #request(scope: string, forceRefresh: boolean): Promise<AccessToken> {
    let result: AuthenticationResult | null;
    try {
      result = await this.#acquire(scope, forceRefresh);
    } catch (error) {
      throw toAuthError(error, { ...this.#context, scope });
    }
    if (!result?.accessToken) {
      throw new IpenrichError('AUTH_UNAVAILABLE', `Entra ID token request for tenant "${this.#context.tenant}" returned no access token`);
    }
    return { token: result.accessToken, expiresOnTimestamp: result.expiresOn?.getTime() ?? Date.now() + 300_000 };
  }
}
