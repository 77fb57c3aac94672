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
});
