import type { AccessToken, AccessTokenSource } from '../../../../src/auth/access-token-source.js';

/** A token source that hands out one fixed token and records what was asked (msal is tested elsewhere). */
export function staticTokenSource(token: string): AccessTokenSource & { readonly requests: { scope: string; forceRefresh: boolean }[] } {
  const requests: { scope: string; forceRefresh: boolean }[] = [];
  return {
    requests,
    getAccessToken(scope, options): Promise<AccessToken> {
      requests.push({ scope, forceRefresh: options?.forceRefresh === true });
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}
