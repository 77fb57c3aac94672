import type { LogsIngestionClient } from '@azure/monitor-ingestion';
import type { AccessTokenSource } from '../../src/auth/access-token-source.js';

/** The Azure SDK's TokenCredential, as the client we use declares it (no direct @azure/core-auth dependency). */
export type TokenCredential = ConstructorParameters<typeof LogsIngestionClient>[1];
type GetTokenOptions = Parameters<TokenCredential['getToken']>[1];

/**
 * The Azure SDK's TokenCredential over ipenrich's AccessTokenSource, so @azure/monitor-ingestion
 * uses the same msal-node credential as everything else. The SDK asks for one scope
 * (`<audience>/.default`). `forceRefreshFirst` bypasses the token cache once: for the client made
 * after a 401, in case the cached token was revoked.
 */
export function tokenCredentialFrom(source: AccessTokenSource, { forceRefreshFirst = false } = {}): TokenCredential {
  let forceRefresh = forceRefreshFirst;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions) {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      if (scope === undefined) return null;
      // The SDK types it AbortSignalLike; at run time it is the caller's AbortSignal.
      const signal = options?.abortSignal;
      const token = await source.getAccessToken(scope, { forceRefresh, ...(signal instanceof AbortSignal ? { signal } : {}) });
      forceRefresh = false;
      return { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    },
  };
}
