import { AuthError, ClientConfigurationError, ServerError } from '@azure/msal-node';
import { IpenrichError, isIpenrichError, type ErrorCode } from '../errors.js';
import { scrubSecrets } from '../secrets.js';
import { TokenEndpointUnavailable } from './msal-network-client.js';

interface AadstsAdvice {
  readonly code: ErrorCode;
  readonly hint: string;
}

/** The AADSTS codes an operator meets when setting ipenrich up, and what to do about each. */
const AADSTS_ADVICE: Readonly<Record<string, AadstsAdvice>> = {
  '7000215': { code: 'AUTH_FAILED', hint: "MDE_CLIENT_SECRET is wrong: use the secret's Value (shown once when created), not its Secret ID" },
  '7000222': { code: 'AUTH_FAILED', hint: 'the client secret has expired: create a new one in the app registration and update MDE_CLIENT_SECRET' },
  '7000218': { code: 'AUTH_FAILED', hint: 'no credential reached Entra ID: set MDE_CLIENT_SECRET or MDE_CERTIFICATE_PATH' },
  '700016': { code: 'AUTH_FAILED', hint: 'MDE_CLIENT_ID is not an application in tenant MDE_TENANT_ID: check both ids and MDE_CLOUD' },
  '90002': { code: 'AUTH_FAILED', hint: 'MDE_TENANT_ID is not a tenant in this cloud: check the id and MDE_CLOUD (commercial, gcc, gcc-high, dod)' },
  '900023': { code: 'AUTH_FAILED', hint: 'MDE_TENANT_ID is not a valid tenant id or domain' },
  '700027': { code: 'AUTH_FAILED', hint: "the certificate is not registered on the app (upload its public part under Certificates & secrets) or does not match the key" },
  '700024': { code: 'AUTH_FAILED', hint: "the client assertion is outside its validity window: check this host's clock" },
  '700021': { code: 'AUTH_FAILED', hint: 'the client assertion was issued for another application: check MDE_CLIENT_ID' },
  '50013': { code: 'AUTH_FAILED', hint: 'the client assertion was refused: check the certificate and MDE_AUTHORITY_HOST' },
  '50027': { code: 'AUTH_FAILED', hint: 'the client assertion was refused: check the certificate file' },
  '7000112': { code: 'AUTH_FAILED', hint: 'the application is disabled in the tenant' },
  '70011': { code: 'AUTH_FAILED', hint: 'MDE_SCOPE is not valid: it must be one resource followed by /.default' },
  '1002012': { code: 'AUTH_FAILED', hint: 'MDE_SCOPE is not valid: it must be one resource followed by /.default' },
  '65001': { code: 'AUTH_CONSENT_REQUIRED', hint: 'grant admin consent for the application permission Ip.Read.All (API WindowsDefenderATP) in the app registration' },
  '500011': {
    code: 'AUTH_CONSENT_REQUIRED',
    hint: 'the Defender for Endpoint API is not known in this tenant for this scope: check MDE_SCOPE and MDE_CLOUD, and grant Ip.Read.All (WindowsDefenderATP, Application) with admin consent',
  },
};

const GENERIC_HINT = 'check MDE_TENANT_ID, MDE_CLIENT_ID, the credential and MDE_CLOUD';
const MANAGED_IDENTITY_HINT = 'is a managed identity assigned to this host, and does MDE_MANAGED_IDENTITY name it?';

/** `AADSTS7000215: Invalid client secret provided. …` → number and first sentence line, from msal's message. */
function aadstsOf(error: AuthError): { number: string | undefined; text: string } {
  const match = /AADSTS(\d+):\s*([^\r\n]*?)(?:\s+Trace ID:|\s+-\s+Correlation ID:|\r|\n|$)/.exec(error.errorMessage);
  const errorNo = error instanceof ServerError ? error.errorNo : undefined;
  const number = match?.[1] ?? (errorNo === undefined ? undefined : String(errorNo));
  // msal wraps the server's text as "Error(s): … - Description: <text> - Correlation ID: …".
  const description = /Description:\s*([\s\S]*?)\s+-\s+Correlation ID:/.exec(error.errorMessage)?.[1];
  return { number, text: (match?.[2] ?? description ?? error.errorMessage).trim() };
}

export interface TokenRequestContext {
  /** ipenrich's name for the tenant. */
  readonly tenant: string;
  readonly credential: 'secret' | 'certificate' | 'managed-identity';
  /** The scope asked for, when the failure is about one (hints differ for Defender, Monitor, ARM). */
  readonly scope?: string;
}

/** Defender's scopes (every cloud) live on securitycenter hosts; Monitor and ARM do not. */
function isDefenderScope(scope: string | undefined): boolean {
  return scope === undefined || /securitycenter|windowsatpservice|api-g(cc|ov)\./i.test(scope);
}

/**
 * Any failure to get a token, as an IpenrichError: AUTH_FAILED / AUTH_CONSENT_REQUIRED (not
 * retryable, with the AADSTS code and a hint) when Entra ID refused, AUTH_UNAVAILABLE (retryable)
 * when it could not be reached or failed temporarily. Messages are scrubbed of registered secrets.
 */
export function toAuthError(thrown: unknown, context: TokenRequestContext): IpenrichError {
  if (isIpenrichError(thrown)) return thrown;
  const prefix = `Entra ID token request for tenant "${context.tenant}" (${context.credential})`;
  const make = (code: ErrorCode, message: string, extra: { statusCode?: number; retryAfterMs?: number; details?: Record<string, unknown> } = {}): IpenrichError =>
    new IpenrichError(code, scrubSecrets(`${prefix} ${message}`), { cause: thrown, ...extra });

  if (thrown instanceof TokenEndpointUnavailable) {
    const problem = thrown.problem;
    if (problem.kind === 'transport') {
      return make('AUTH_UNAVAILABLE', `could not reach the token endpoint (${problem.error.kind}): ${problem.error.message}. Check HTTPS_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS and MDE_AUTHORITY_HOST.`);
    }
    if (problem.kind === 'status') {
      return make('AUTH_UNAVAILABLE', `failed temporarily: ${thrown.errorMessage}`, {
        statusCode: problem.status,
        ...(problem.retryAfterMs === undefined ? {} : { retryAfterMs: problem.retryAfterMs }),
      });
    }
    return make('AUTH_UNAVAILABLE', `failed: ${thrown.errorMessage} (a proxy or wrong MDE_AUTHORITY_HOST?)`, { statusCode: problem.status });
  }
  // Entra ID's refusals arrive as ServerError, or as InteractionRequiredAuthError for consent errors.
  if (thrown instanceof ServerError || (thrown instanceof AuthError && /AADSTS\d+:/.test(thrown.errorMessage))) {
    const { number, text } = aadstsOf(thrown);
    let advice = number === undefined ? undefined : AADSTS_ADVICE[number];
    if (number === '500011' && !isDefenderScope(context.scope)) {
      advice = {
        code: 'AUTH_CONSENT_REQUIRED',
        hint: `the resource of scope ${context.scope ?? ''} is not known in this tenant: check SENTINEL_AUDIENCE, SENTINEL_ARM_ENDPOINT and MDE_CLOUD`,
      };
    }
    const label = number === undefined ? thrown.errorCode || 'refused' : `AADSTS${number} (${thrown.errorCode})`;
    const hint = advice ? `${advice.hint}.` : context.credential === 'managed-identity' ? MANAGED_IDENTITY_HINT : `${GENERIC_HINT}.`;
    return make(advice?.code ?? 'AUTH_FAILED', `was refused: ${label}: ${text} Hint: ${hint}`, {
      ...(thrown instanceof ServerError && thrown.status !== undefined ? { statusCode: Number(thrown.status) } : {}),
      details: { aadsts: number, error: thrown.errorCode },
    });
  }
  if (thrown instanceof ClientConfigurationError) {
    return make('CONFIG_INVALID', `cannot start: ${thrown.errorCode}: ${thrown.errorMessage}`);
  }
  if (thrown instanceof AuthError) {
    const transient = ['network_error', 'openid_config_error', 'endpoints_resolution_error', 'token_refresh_required'].includes(thrown.errorCode);
    if (context.credential === 'managed-identity' && !transient) {
      return make('AUTH_FAILED', `failed: ${thrown.errorCode}: ${thrown.errorMessage}. Hint: ${MANAGED_IDENTITY_HINT}`);
    }
    return make(transient ? 'AUTH_UNAVAILABLE' : 'AUTH_FAILED', `failed: ${thrown.errorCode}: ${thrown.errorMessage}`);
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return make('INTERNAL', `failed unexpectedly: ${message}`);
}
