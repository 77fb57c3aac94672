import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { clearSecretsForTest, registerSecret } from '../../src/secrets.js';

function capture(): { stream: Writable; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines: () => chunks.join('') };
}

describe('logger', () => {
  afterEach(() => clearSecretsForTest());

  it('redacts secret-bearing fields by structure', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } }, auth: { clientSecret: 'cs-123456', client_assertion: 'eyJhbGciOi' } }, 'call');
    const text = out.lines();
    expect(text).toContain('[REDACTED]');
    for (const leaked of ['abc.def.ghi', 'cs-123456', 'eyJhbGciOi']) expect(text).not.toContain(leaked);
  });

  it('redacts credential fields of a logged error and of objects nested in arrays', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const error = Object.assign(new Error('request failed'), { headers: { authorization: 'Bearer err.tok.en' } });
    logger.warn({ err: error, attempts: [{ request: { headers: { 'x-api-key': 'key-in-array' } } }] }, 'call failed');
    const line = JSON.parse(out.lines()) as { err: { message: string; headers: { authorization: string } } };
    expect(line.err.message).toBe('request failed');
    expect(line.err.headers.authorization).toBe('[REDACTED]');
    expect(out.lines()).not.toContain('key-in-array');
  });

  it('scrubs registered secret values from free text such as error messages', () => {
    registerSecret('hec-token-7f3a9c');
    registerSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    logger.error({ err: new Error('POST failed with header Splunk hec-token-7f3a9c') }, 'key MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw leaked?');
    const text = out.lines();
    expect(text).not.toContain('hec-token-7f3a9c');
    expect(text).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(text).toContain('Splunk [REDACTED]');
    expect(text).toContain('key [REDACTED] leaked?');
  });

  it('redacts credentials of URLs in free text (a library\'s error about a callback or sink), and the line still parses', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const reason = 'POST https://prod-27.westeurope.logic.azure.com/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-10-01&sig=Xy7secretSIG: ECONNRESET';
    logger.warn({ failed: [{ sink: 'callback', message: reason }], err: new Error('fetch https://hooks.slack.com/services/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\nfailed') }, 'some deliveries failed');
    const text = out.lines();
    for (const leaked of ['Xy7secretSIG', 'aB3dE5fG7hJ9kL1mN3pQ5rS7']) expect(text).not.toContain(leaked);
    const line = JSON.parse(text) as { failed: { message: string }[]; err: { message: string } };
    expect(line.failed[0]?.message).toBe('POST https://prod-27.westeurope.logic.azure.com/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-10-01&sig=REDACTED: ECONNRESET');
    expect(line.err.message).toBe('fetch https://hooks.slack.com/services/T0123ABCD/B0456EFGH/REDACTED\nfailed');
  });

  it('writes no raw control or bidi character, and the line still parses to the original text', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const message = 'receiver said \u001b[31mred\u001b[0m, \u009b2J and \u202etxt.exe\u2066\u007f';
    logger.warn({ sink: 'webhook\u0085', err: new Error(`answered 400: ${message}`) }, message);
    const line = out.lines();
    // eslint-disable-next-line no-control-regex -- the characters under test
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const parsed = JSON.parse(line) as { msg: string; sink: string; err: { message: string } };
    expect(parsed.msg).toBe(message);
    expect(parsed.sink).toBe('webhook\u0085');
    expect(parsed.err.message).toBe(`answered 400: ${message}`);
  });
});
