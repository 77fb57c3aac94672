import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from '../../../src/http/redact-url.js';

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

  it('leaves text that is not an absolute URL alone', () => {
    expect(redactUrl('not a url ?sig=1')).toBe('not a url ?sig=1');
  });
});

describe('redactUrlsIn', () => {
  it('redacts every URL in a message and keeps the sentence around it', () => {
    expect(redactUrlsIn('callback: SINK_UNAVAILABLE: POST https://a.example/cb?sig=s3cr3t answered 503 (then https://b.example/x?code=c0de).'))
      .toBe('callback: SINK_UNAVAILABLE: POST https://a.example/cb?sig=REDACTED answered 503 (then https://b.example/x?code=REDACTED).');
  });

  it('redacts the secret parameters of a relative URL or a bare query too, as a receiver echoing its request path writes them', () => {
    expect(redactUrlsIn('answered 400: Invalid request to /echourl/workflows?api-version=2016-10-01&sig=S3CR3T-value_1 (path /a?code=c0de%3D).'))
      .toBe('answered 400: Invalid request to /echourl/workflows?api-version=2016-10-01&sig=REDACTED (path /a?code=REDACTED).');
    expect(redactUrlsIn('query: ?page=2&access_token=abc.def;ghi&X-Amz-Signature=0f1e#id_token=x')).toBe('query: ?page=2&access_token=REDACTED&X-Amz-Signature=REDACTED#id_token=REDACTED');
    // Not parameters: left as they are.
    expect(redactUrlsIn('the key is missing; token= is empty, a=b & sig is set')).toBe('the key is missing; token= is empty, a=b & sig is set');
  });
});
