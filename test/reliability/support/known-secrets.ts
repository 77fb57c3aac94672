import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The secret values every reliability scenario runs with. They are random per run but known to the
 * test, so every log line, job error and stored result can be searched for them afterwards.
 */
export interface KnownSecrets {
  /** MDE_CLIENT_SECRET, accepted by the Entra emulator. */
  readonly clientSecret: string;
  readonly webhookSecret: string;
  readonly hecToken: string;
  /** INGRESS_API_KEYS (plain key): the worker never uses it, but it loads and registers it. */
  readonly ingressApiKey: string;
  readonly ingressSigningSecret: string;
}

export function generateKnownSecrets(): KnownSecrets {
  return {
    clientSecret: `rel~${randomBytes(24).toString('base64url')}`,
    webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
    hecToken: randomUUID(),
    ingressApiKey: `rel-key-${randomBytes(16).toString('hex')}`,
    ingressSigningSecret: `whsec_${randomBytes(24).toString('base64')}`,
  };
}

/** The environment that hands the secrets to ipenrich (the sinks that use them are chosen by SINKS). */
export function secretsEnv(secrets: KnownSecrets): Record<string, string> {
  return {
    MDE_CLIENT_SECRET: secrets.clientSecret,
    WEBHOOK_SECRET: secrets.webhookSecret,
    SPLUNK_HEC_TOKEN: secrets.hecToken,
    INGRESS_API_KEYS: secrets.ingressApiKey,
    INGRESS_SIGNING_SECRETS: secrets.ingressSigningSecret,
  };
}
