/**
 * The port through which every HTTP client (Defender, Logs Ingestion, ARM) gets a bearer token.
 * The msal-node implementation lives in src/auth/; connectors adapt it (e.g. to an Azure
 * TokenCredential) and never see credentials.
 */
export interface AccessToken {
  readonly token: string;
  /** Epoch milliseconds. */
  readonly expiresOnTimestamp: number;
}

export interface AccessTokenSource {
  /**
   * A token for one resource (`<resource>/.default`). `forceRefresh` bypasses the token cache:
   * used exactly once after a 401, in case the cached token was revoked.
   */
  getAccessToken(scope: string, options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<AccessToken>;
}
