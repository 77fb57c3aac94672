import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseClientCertificate } from '../../../src/auth/certificate.js';
import { hasCode } from '../../../src/errors.js';
import { makeClientCertificate, type ClientCertificateFiles } from '../../../src/emulators/client-certificate.js';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('client certificate from a PEM bundle', () => {
  let app: ClientCertificateFiles;
  let other: ClientCertificateFiles;

  beforeAll(async () => {
    [app, other] = await Promise.all([makeClientCertificate('app'), makeClientCertificate('other')]);
  });

  it('computes the SHA-256 thumbprint of the certificate (hex of the DER digest)', () => {
    const parsed = parseClientCertificate(app.bundlePem, 'bundle.pem');
    const der = new X509Certificate(app.certPem).raw;
    expect(parsed.thumbprintSha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(parsed.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(parsed.description).toContain('CN=app');
  });

  it('accepts the certificate before the key, and a PKCS#1 key (converted to PKCS#8 for msal-node)', () => {
    const parsed = parseClientCertificate(`${app.certPem}\n${app.keyPkcs1Pem}`, 'bundle.pem');
    expect(parsed.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(parsed.thumbprintSha256).toBe(parseClientCertificate(app.bundlePem, 'x').thumbprintSha256);
  });

  it('picks the certificate that matches the key and puts it first in the x5c chain', async () => {
    const leaf = await makeClientCertificate('leaf', { ca: { key: app.keyPem, cert: app.certPem } });
    const parsed = parseClientCertificate(`${leaf.keyPem}\n${app.certPem}\n${leaf.certPem}`, 'chain.pem');
    const chain = parsed.certificateChainPem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    expect(chain).toHaveLength(2);
    expect(new X509Certificate(parsed.certificateChainPem).subject).toContain('CN=leaf');
    expect(parsed.thumbprintSha256).toBe(createHash('sha256').update(new X509Certificate(leaf.certPem).raw).digest('hex'));
  });

  it.each([
    ['a certificate without its key', () => other.certPem, /no PRIVATE KEY/],
    ['a key without a certificate', () => other.keyPem, /no CERTIFICATE/],
    ['a key with a certificate that does not match it', () => `${app.keyPem}\n${other.certPem}`, /matches the private key/],
    [
      'an encrypted key',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(),
      /encrypted/,
    ],
    ['an EC key', () => `${generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()}\n${app.certPem}`, /RSA key/],
  ])('refuses %s with CONFIG_INVALID and no key material in the message', (_label, pem, reason) => {
    const text = pem();
    const error = thrownBy(() => parseClientCertificate(text, '/etc/ipenrich/app.pem'));
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(reason);
    expect(message).toContain('/etc/ipenrich/app.pem');
    expect(message).not.toContain('-----BEGIN');
  });
});
