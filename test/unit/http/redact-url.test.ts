import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/emulators/seeded-random.js';
import { pathTokens, redactUrl, redactUrlsIn } from '../../../src/http/redact-url.js';

describe('redactUrl', () => {
  it('keeps a Logic Apps callback recognisable and removes its signature', () => {
    const url = 'https://prod-27.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Xy7_secretSIG-value';
    expect(redactUrl(url)).toBe('https://prod-27.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=REDACTED');
  });

  it('redacts the usual credential parameters, in the query and in the fragment', () => {
    expect(redactUrl('https://fn.azurewebsites.net/api/hook?code=abc%3D%3D&clientId=default')).toBe('https://fn.azurewebsites.net/api/hook?code=REDACTED&clientId=default');
    expect(redactUrl('https://h.example/x?token=t1&key=k1&secret=s1&signature=s2&apikey=a1&access_token=a2&X-Amz-Signature=a3&page=2'))
      .toBe('https://h.example/x?token=REDACTED&key=REDACTED&secret=REDACTED&signature=REDACTED&apikey=REDACTED&access_token=REDACTED&X-Amz-Signature=REDACTED&page=2');
    expect(redactUrl('https://h.example/cb#access_token=a2&state=9')).toBe('https://h.example/cb#access_token=REDACTED&state=9');
  });

  it('redacts a userinfo password but keeps the user and the port', () => {
    expect(redactUrl('https://svc:p4ssw0rd@hooks.example.com:8443/in?x=1')).toBe('https://svc:REDACTED@hooks.example.com:8443/in?x=1');
    expect(redactUrl('https://hooks.example.com:8443/in')).toBe('https://hooks.example.com:8443/in');
  });

  it('redacts the token in the path of Slack, Teams, Discord and Mattermost incoming webhooks and keeps their shape', () => {
    expect(redactUrl('https://hooks.slack.com/services/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')).toBe('https://hooks.slack.com/services/T0123ABCD/B0456EFGH/REDACTED');
    // A token of letters only, mixed case, is a token too.
    expect(redactUrl('https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX')).toBe('https://hooks.slack.com/services/T0123ABCD/B0456EFGH/REDACTED');
    expect(
      redactUrl('https://contoso.webhook.office.com/webhookb2/0f9a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/9c1e2a3b4d5f60718293a4b5c6d7e8f9/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'),
    ).toBe('https://contoso.webhook.office.com/webhookb2/0f9a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/REDACTED/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9');
    expect(redactUrl('https://discord.com/api/webhooks/123456789012345678/Xy_9-abcDEF123ghiJKL456mnoPQR789stuVWX012yzaBCD345efgHIJ678klmNOP9qr'))
      .toBe('https://discord.com/api/webhooks/123456789012345678/REDACTED');
    expect(redactUrl('https://chat.example.com/hooks/xi3f8q1k9pbn7rj5wdm2cz6h4a')).toBe('https://chat.example.com/hooks/REDACTED');
  });

  it('takes random tokens for tokens: fewer than 1 in 2,000 of 24 characters (letters and digits, or base64url), none of 40, read as a name', () => {
    const random = seededRandom('path-tokens');
    const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const token = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const missed = (alphabet: string, length: number, count: number): number =>
      Array.from({ length: count }, () => token(alphabet, length)).filter((t) => pathTokens(`/hooks/${t}`).length === 0).length;
    expect(missed(alphanumeric, 24, 40_000)).toBeLessThan(20);
    expect(missed(`${alphanumeric}-_`, 24, 40_000)).toBeLessThan(20);
    expect(missed(alphanumeric, 40, 20_000)).toBe(0);
    // One that slipped through an earlier rule (acronym of seven letters, words without a vowel).
    expect(pathTokens('/hooks/oeihiAw-KmBzxlFXUBVJZEjk')).toEqual(['oeihiAw-KmBzxlFXUBVJZEjk']);
  });

  it('keeps path segments that are names, short ids, GUIDs or IP addresses', () => {
    for (const url of [
      'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token',
      'https://api.securitycenter.microsoft.com/api/ips/203.0.113.7/stats?lookBackHours=720',
      'https://api.securitycenter.microsoft.com/api/ips/2001:db8:85a3::8a2e:370:7334/stats',
      'https://soar.example.com/rest/handler/ipenrich-results-receiver/incoming-alerts',
      'https://hooks.example.com/IncomingWebhook/v2',
      'https://hooks.example.com/incomingwebhooksreceiver/alerts',
      'https://management.azure.com/subscriptions/0f9a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b/resourceGroups/rg-sentinel-prod-weu-001/providers/Microsoft.OperationalInsights/workspaces/law-soc/providers/Microsoft.SecurityInsights/incidents',
      'https://my-dce-a1b2.westeurope-1.ingest.monitor.azure.com/dataCollectionRules/dcr-00000000000000000000000000000000/streams/Custom-IpEnrichment_CL?api-version=2023-01-01',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('leaves text that is not an absolute URL alone', () => {
    expect(redactUrl('not a url ?sig=1')).toBe('not a url ?sig=1');
  });
});

describe('redactUrlsIn', () => {
  it('redacts every URL in a message and keeps the sentence around it', () => {
    expect(redactUrlsIn('callback: SINK_UNAVAILABLE: POST https://a.example/cb?sig=s3cr3t answered 503 (then https://b.example/x?code=c0de).'))
      .toBe('callback: SINK_UNAVAILABLE: POST https://a.example/cb?sig=REDACTED answered 503 (then https://b.example/x?code=REDACTED).');
  });

  it('redacts a path token even where the URL runs into what follows it (a JSON escape in a log line)', () => {
    expect(redactUrlsIn('"msg":"POST https://hooks.slack.com/services/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\\nretrying"'))
      .toBe('"msg":"POST https://hooks.slack.com/services/T0123ABCD/B0456EFGH/REDACTED\\nretrying"');
  });

  it('redacts the secret parameters of a relative URL or a bare query too, as a receiver echoing its request path writes them', () => {
    expect(redactUrlsIn('answered 400: Invalid request to /echourl/workflows?api-version=2016-10-01&sig=S3CR3T-value_1 (path /a?code=c0de%3D).'))
      .toBe('answered 400: Invalid request to /echourl/workflows?api-version=2016-10-01&sig=REDACTED (path /a?code=REDACTED).');
    expect(redactUrlsIn('query: ?page=2&access_token=abc.def;ghi&X-Amz-Signature=0f1e#id_token=x')).toBe('query: ?page=2&access_token=REDACTED&X-Amz-Signature=REDACTED#id_token=REDACTED');
    // Not parameters: left as they are.
    expect(redactUrlsIn('the key is missing; token= is empty, a=b & sig is set')).toBe('the key is missing; token= is empty, a=b & sig is set');
  });
});
