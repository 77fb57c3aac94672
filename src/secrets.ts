/**
 * Every secret value ipenrich knows (client secrets, tokens, API keys, webhook secrets) is
 * registered here as soon as it is read, so the logger and error formatter can scrub it from any
 * text — including text that a library put into an error message.
 */
const known = new Set<string>();

/** Values shorter than this are not scrubbed: replacing "a" everywhere would mangle logs. */
const MIN_SECRET_LENGTH = 6;
const REDACTED = '[REDACTED]';

export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
  known.add(value);
  // A whsec_ secret is used base64-decoded; its raw part may show up on its own.
  if (value.startsWith('whsec_') && value.length - 6 >= MIN_SECRET_LENGTH) known.add(value.slice(6));
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** For tests: forget what was registered. */
export function clearSecretsForTest(): void {
  known.clear();
}
