/**
 * Entra ID emulator: the parts of the Microsoft identity platform ipenrich talks to, as a real HTTPS
 * server on 127.0.0.1, so msal-node itself obtains tokens in tests. The token endpoint follows
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow; discovery is what msal-common
 * fetches for a host in `knownAuthorities` (@azure/msal-common/src/authority/Authority.ts).
 *
 *   const entra = await startEntraEmulator();            // one tenant + client + secret, generated
 *   MDE_AUTHORITY_HOST=entra.host MDE_TENANT_ID=entra.tenantId MDE_CLIENT_ID=entra.clientId
 *   MDE_CLIENT_SECRET=entra.clientSecret                   // and NODE_EXTRA_CA_CERTS=entra.tls.certPath
 *
 * Routes
 * - GET  /{tenant}/v2.0/.well-known/openid-configuration (also /{tenant}/.well-known/…): discovery
 * - POST /{tenant}/oauth2/v2.0/token: client credentials with `client_secret` (form or Basic) or a
 *   `client_assertion` JWT verified against the client's registered certificates (client-assertion.ts).
 *   Query string and extra `x-*` form fields are ignored, as msal-node sends them.
 * - GET  /msi/token?api-version=2019-08-01&resource=…[&client_id=…]: App Service managed identity
 *   (header `x-identity-header`); point msal-node at it with IDENTITY_ENDPOINT/IDENTITY_HEADER.
 * Errors are AADSTS-style JSON (`error`, `error_description` starting with `AADSTSnnn:`, `error_codes`).
 *
 * Tokens are HS256 JWTs under `tokenSigningKey` (emulator-token.ts) carrying aud, tid, appid and
 * roles (`Ip.Read.All` unless a client is registered without it); the Defender emulator verifies them
 * with the same key. `expires_in` is 3599 (msal refreshes tokens within 300 s of expiry: DEFAULT_TOKEN_RENEWAL_OFFSET_SEC
 * in @azure/msal-common/src/utils/Constants.ts).
 *
 * Test controls: `counters` (live), `setMode({failStatus, retryAfterSeconds, latencyMs})` to make
 * the token endpoint fail or slow, `register(client)` for more tenants/clients/credentials.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkClientAssertion } from './client-assertion.js';
import { DEFENDER_RESOURCES, GRAPH_RESOURCES, IP_READ_ALL, OTHER_AZURE_RESOURCES, THREAT_HUNTING_READ_ALL } from './defender-resources.js';
import { signEmulatorToken } from './emulator-token.js';
import { readBody, sendJson, sleep, startHttpsServer, type RunningHttpsServer } from './https-server.js';
import type { TlsMaterial } from './tls.js';

interface EntraClientRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  /** Accepted client secrets (several, as during a rotation). */
  readonly secrets?: readonly string[];
  /** PEM certificates whose private keys may sign client assertions. */
  readonly certificates?: readonly string[];
  /** Application permissions with admin consent, put in the token's `roles`. Default: Ip.Read.All and ThreatHunting.Read.All. */
  readonly roles?: readonly string[];
  /** false: every token request fails with AADSTS65001 (the app was never consented in the tenant). */
  readonly consented?: boolean;
}

export interface EntraEmulatorOptions {
  readonly port?: number;
  readonly tls?: TlsMaterial;
  /** The default client, generated when absent. */
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly clients?: readonly EntraClientRegistration[];
  /** Shared with the emulators that verify tokens; random when absent. */
  readonly tokenSigningKey?: Buffer;
  readonly tokenLifetimeSeconds?: number;
  /** Resources tokens may be issued for; any other gives AADSTS500011. `'any'` accepts all. */
  readonly resources?: readonly string[] | 'any';
  /** Managed identity: the secret header and the identities (system-assigned first). */
  readonly managedIdentity?: { readonly identityHeader?: string; readonly clientIds?: readonly string[]; readonly roles?: readonly string[] };
}

export interface EntraMode {
  /** Answer every token request with this status (429, 500, 503…); undefined: normal operation. */
  readonly failStatus: number | undefined;
  /** Retry-After seconds sent with `failStatus`. */
  readonly retryAfterSeconds: number | undefined;
  readonly latencyMs: number;
}

interface EntraCounters {
  tokenRequests: number;
  tokensIssued: number;
  tokenErrors: number;
  openIdConfigRequests: number;
  managedIdentityRequests: number;
  secretRequests: number;
  assertionRequests: number;
  /** Client assertions whose header carried the certificate chain (x5c). */
  assertionsWithX5c: number;
  /** Error responses by AADSTS number. */
  errorsByCode: Record<string, number>;
}

export interface EntraEmulator extends RunningHttpsServer {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenSigningKey: Buffer;
  /** For IDENTITY_ENDPOINT / IDENTITY_HEADER (App Service managed identity). */
  readonly managedIdentityEndpoint: string;
  readonly managedIdentityHeader: string;
  /** Client id of the system-assigned managed identity. */
  readonly managedIdentityClientId: string;
  readonly counters: EntraCounters;
  tokenEndpoint(tenantId?: string): string;
  setMode(mode: Partial<EntraMode>): void;
  register(client: EntraClientRegistration): void;
  resetCounters(): void;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

function freshCounters(): EntraCounters {
  return {
    tokenRequests: 0,
    tokensIssued: 0,
    tokenErrors: 0,
    openIdConfigRequests: 0,
    managedIdentityRequests: 0,
    secretRequests: 0,
    assertionRequests: 0,
    assertionsWithX5c: 0,
    errorsByCode: {},
  };
}

export async function startEntraEmulator(options: EntraEmulatorOptions = {}): Promise<EntraEmulator> {
  const tenantId = options.tenantId ?? randomUUID();
  const clientId = options.clientId ?? randomUUID();
  const clientSecret = options.clientSecret ?? `emu~${randomBytes(24).toString('base64url')}`;
  const tokenSigningKey = options.tokenSigningKey ?? randomBytes(32);
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const resources = options.resources ?? [...DEFENDER_RESOURCES, ...OTHER_AZURE_RESOURCES, ...GRAPH_RESOURCES];
  const identityHeader = options.managedIdentity?.identityHeader ?? randomBytes(16).toString('hex');
  const identityClientIds = options.managedIdentity?.clientIds ?? [randomUUID()];
  const identityRoles = options.managedIdentity?.roles ?? [IP_READ_ALL];

  /** tenant id → client id → registration */
  const tenants = new Map<string, Map<string, EntraClientRegistration>>();
  const register = (client: EntraClientRegistration): void => {
    const clients = tenants.get(client.tenantId.toLowerCase()) ?? new Map<string, EntraClientRegistration>();
    clients.set(client.clientId.toLowerCase(), client);
    tenants.set(client.tenantId.toLowerCase(), clients);
  };
  register({ tenantId, clientId, secrets: [clientSecret] });
  for (const client of options.clients ?? []) register(client);

  let mode: EntraMode = { failStatus: undefined, retryAfterSeconds: undefined, latencyMs: 0 };
  const counters = freshCounters();
  let origin = '';

  function aadError(
    response: ServerResponse,
    status: number,
    error: string,
    aadsts: number,
    description: string,
    extra: { correlationId?: string; suberror?: string; headers?: Record<string, string> } = {},
  ): void {
    counters.tokenErrors += 1;
    counters.errorsByCode[String(aadsts)] = (counters.errorsByCode[String(aadsts)] ?? 0) + 1;
    const traceId = randomUUID();
    const correlationId = extra.correlationId ?? randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    sendJson(
      response,
      status,
      {
        error,
        error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
        error_codes: [aadsts],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        ...(extra.suberror ? { suberror: extra.suberror } : {}),
        error_uri: `${origin}/error?code=${aadsts}`,
      },
      extra.headers,
    );
  }

  const tenantNotFound = (response: ServerResponse, tenant: string, correlationId?: string): void =>
    aadError(
      response,
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      { ...(correlationId ? { correlationId } : {}) },
    );

  function openIdConfiguration(tenant: string): Record<string, unknown> {
    return {
      token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${origin}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  function issue(tenant: string, appid: string, resource: string, roles: readonly string[]): { token: string; exp: number } {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + lifetime;
    counters.tokensIssued += 1;
    const token = signEmulatorToken(
      { aud: resource, iss: `https://sts.windows.net/${tenant}/`, tid: tenant, appid, roles, iat: now, nbf: now, exp, jti: randomUUID(), idtyp: 'app', ver: '1.0' },
      tokenSigningKey,
    );
    return { token, exp };
  }

  const resourceKnown = (resource: string): boolean => resources === 'any' || resources.includes(resource);

  async function token(request: IncomingMessage, response: ServerResponse, tenant: string): Promise<void> {
    counters.tokenRequests += 1;
    const form = new URLSearchParams((await readBody(request)).toString('utf8'));
    const correlationId = form.get('client-request-id') ?? undefined;
    const withCorrelation = correlationId ? { correlationId } : {};
    if (mode.latencyMs > 0) await sleep(mode.latencyMs);
    if (mode.failStatus !== undefined) {
      const headers: Record<string, string> = mode.retryAfterSeconds === undefined ? {} : { 'retry-after': String(mode.retryAfterSeconds) };
      if (mode.failStatus === 429) {
        aadError(response, 429, 'temporarily_unavailable', 90055, 'The service is temporarily unavailable (too many requests). Retry later.', { ...withCorrelation, headers });
      } else {
        aadError(response, mode.failStatus, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.', { ...withCorrelation, headers });
      }
      return;
    }

    if (form.get('grant_type') !== 'client_credentials') {
      aadError(response, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.get('grant_type') ?? ''}'.`, withCorrelation);
      return;
    }
    const clients = tenants.get(tenant.toLowerCase());
    if (!clients) {
      tenantNotFound(response, tenant, correlationId);
      return;
    }

    let requestClientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id = '', pass = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      requestClientId ??= decodeURIComponent(id);
      secret ??= decodeURIComponent(pass);
    }
    if (!requestClientId) {
      aadError(response, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.", withCorrelation);
      return;
    }
    const client = clients.get(requestClientId.toLowerCase());
    if (!client) {
      aadError(
        response,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${requestClientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        withCorrelation,
      );
      return;
    }

    const assertion = form.get('client_assertion') ?? undefined;
    if (assertion !== undefined) {
      counters.assertionRequests += 1;
      if (/"x5c"/.test(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString('utf8'))) counters.assertionsWithX5c += 1;
      if (form.get('client_assertion_type') !== JWT_BEARER) {
        aadError(response, 400, 'invalid_request', 50027, `Invalid client_assertion_type; expected '${JWT_BEARER}'.`, withCorrelation);
        return;
      }
      const host = request.headers.host ?? '';
      const check = checkClientAssertion(assertion, {
        clientId: client.clientId,
        audiences: [`https://${host}/${tenant}/oauth2/v2.0/token`, `${origin}/${tenant}/oauth2/v2.0/token`, `https://${host}/${tenant}/v2.0`],
        certificates: client.certificates ?? [],
      });
      if (!check.ok) {
        aadError(response, 401, 'invalid_client', check.aadsts, check.description, withCorrelation);
        return;
      }
    } else if (secret !== undefined) {
      counters.secretRequests += 1;
      if (!(client.secrets ?? []).includes(secret)) {
        aadError(
          response,
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
          withCorrelation,
        );
        return;
      }
    } else {
      aadError(response, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", withCorrelation);
      return;
    }

    const scopes = (form.get('scope') ?? '').split(' ').filter((scope) => scope !== '' && !OIDC_SCOPES.has(scope));
    const [scope] = scopes;
    if (scopes.length !== 1 || !scope?.endsWith('/.default')) {
      aadError(
        response,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        withCorrelation,
      );
      return;
    }
    const resource = scope.slice(0, -'/.default'.length);
    if (!resourceKnown(resource)) {
      aadError(
        response,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
        withCorrelation,
      );
      return;
    }
    if (client.consented === false) {
      aadError(
        response,
        400,
        'invalid_grant',
        65001,
        `The user or administrator has not consented to use the application with ID '${client.clientId}'. Send an interactive authorization request for this user and resource.`,
        { ...withCorrelation, suberror: 'consent_required' },
      );
      return;
    }
    const { token: accessToken } = issue(client.tenantId, client.clientId, resource, client.roles ?? [IP_READ_ALL, THREAT_HUNTING_READ_ALL]);
    sendJson(response, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
  }

  function managedIdentity(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
    counters.managedIdentityRequests += 1;
    if (request.headers['x-identity-header'] !== identityHeader) {
      sendJson(response, 401, { statusCode: 401, message: 'Missing or invalid X-IDENTITY-HEADER.' });
      return;
    }
    const resource = (query.get('resource') ?? '').replace(/\/\.default$/, '');
    const wanted = query.get('client_id') ?? identityClientIds[0] ?? '';
    if (!identityClientIds.includes(wanted)) {
      sendJson(response, 400, { statusCode: 400, message: `No managed identity with client id ${wanted} is assigned to this resource.` });
      return;
    }
    if (!resourceKnown(resource)) {
      sendJson(response, 400, { statusCode: 400, message: `AADSTS500011: The resource principal named ${resource} was not found in the tenant.` });
      return;
    }
    const { token: accessToken, exp } = issue(tenantId, wanted, resource, identityRoles);
    sendJson(response, 200, { access_token: accessToken, expires_on: String(exp), resource, token_type: 'Bearer', client_id: wanted });
  }

  const server = await startHttpsServer(
    async (request, response) => {
      const url = new URL(request.url ?? '/', 'https://emulator.invalid');
      const segments = url.pathname.split('/').filter((part) => part !== '');
      const [tenant = ''] = segments;
      const rest = segments.slice(1).join('/');
      if (request.method === 'GET' && url.pathname === '/msi/token') {
        managedIdentity(request, response, url.searchParams);
        return;
      }
      if (request.method === 'GET' && (rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration')) {
        counters.openIdConfigRequests += 1;
        if (!tenants.has(tenant.toLowerCase())) tenantNotFound(response, tenant);
        else sendJson(response, 200, openIdConfiguration(tenant));
        return;
      }
      if (request.method === 'GET' && rest === 'discovery/v2.0/keys') {
        sendJson(response, 200, { keys: [] });
        return;
      }
      if (request.method === 'POST' && rest === 'oauth2/v2.0/token') {
        await token(request, response, tenant);
        return;
      }
      sendJson(response, 404, { error: 'not_found', error_description: `No route for ${request.method ?? ''} ${url.pathname}` });
    },
    { ...(options.port === undefined ? {} : { port: options.port }), ...(options.tls ? { tls: options.tls } : {}) },
  );
  origin = server.url;

  return {
    ...server,
    tenantId,
    clientId,
    clientSecret,
    tokenSigningKey,
    managedIdentityEndpoint: `${server.url}/msi/token`,
    managedIdentityHeader: identityHeader,
    managedIdentityClientId: identityClientIds[0] ?? '',
    counters,
    tokenEndpoint: (tenant = tenantId) => `${server.url}/${tenant}/oauth2/v2.0/token`,
    setMode(next) {
      mode = { ...mode, ...next };
    },
    register,
    resetCounters() {
      Object.assign(counters, freshCounters());
    },
  };
}
