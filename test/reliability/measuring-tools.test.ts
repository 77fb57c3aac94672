import { describe, expect, it } from 'vitest';
import { maxInSlidingWindow } from './support/admitted-calls.js';
import { generateKnownSecrets } from './support/known-secrets.js';
import { findSecrets } from './support/secret-scan.js';

/** The suite's own instruments: a scan that finds nothing must be a scan that could have. */
describe('reliability measuring tools', () => {
  const secrets = generateKnownSecrets();

  it('the secrets scan finds every secret, in the forms it travels in, and bearer tokens', () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaSJ9.${'s'.repeat(43)}`;
    const texts = [
      { source: 'log', text: `{"msg":"ok"}\n{"msg":"sent","body":"client_secret=${encodeURIComponent(secrets.clientSecret)}"}` },
      { source: 'error', text: `whsec key ${secrets.webhookSecret.slice('whsec_'.length)} leaked` },
      { source: 'result', text: `Splunk ${secrets.hecToken} / ${secrets.ingressApiKey} / ${secrets.ingressSigningSecret}` },
      { source: 'header', text: `authorization: Bearer ${jwt}` },
      { source: 'clean', text: 'nothing to see' },
    ];
    const findings = findSecrets(texts, secrets);
    expect(findings).toEqual(
      expect.arrayContaining([
        { secret: 'clientSecret', source: 'log', line: 2 },
        { secret: 'webhookSecret', source: 'error', line: 1 },
        { secret: 'hecToken', source: 'result', line: 1 },
        { secret: 'ingressApiKey', source: 'result', line: 1 },
        { secret: 'ingressSigningSecret', source: 'result', line: 1 },
        { secret: 'bearer access token', source: 'header', line: 1 },
      ]),
    );
    expect(findings.filter((finding) => finding.source === 'clean')).toEqual([]);
    // A finding names the secret and where it was, never its value.
    expect(JSON.stringify(findings)).not.toContain(secrets.hecToken);
  });

  it('counts the busiest sliding window exactly at its edges', () => {
    // (t − 1000, t]: a call exactly 1000 ms before another is outside that one's window.
    expect(maxInSlidingWindow([0, 1_000, 2_000], 1_000)).toBe(1);
    expect(maxInSlidingWindow([0, 999, 1_998], 1_000)).toBe(2);
    expect(maxInSlidingWindow([5, 5, 5, 900, 3_000], 1_000)).toBe(4);
    expect(maxInSlidingWindow([], 1_000)).toBe(0);
  });
});
