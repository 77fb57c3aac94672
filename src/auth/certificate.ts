import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IpenrichError } from '../errors.js';

/** What msal-node needs for certificate credentials (`clientCertificate` in @azure/msal-node/src/config/Configuration.ts). */
export interface ClientCertificate {
  /** Hex SHA-256 thumbprint of the certificate that matches the key (PS256 + `x5t#S256`). */
  readonly thumbprintSha256: string;
  /** The private key as PKCS#8 PEM, whatever form the file held (PKCS#1 RSA keys are converted). */
  readonly privateKey: string;
  /** The matching certificate first, then the rest of the chain: the x5c header when enabled. */
  readonly certificateChainPem: string;
  /** For messages: subject and expiry, never key material. */
  readonly description: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

const invalid = (source: string, problem: string): IpenrichError =>
  new IpenrichError('CONFIG_INVALID', `MDE_CERTIFICATE_PATH (${source}): ${problem}`);

/** Parses a PEM bundle holding one private key and its certificate (plus any chain). */
export function parseClientCertificate(pem: string, source: string): ClientCertificate {
  const keyBlock = KEY_BLOCK.exec(pem)?.[0];
  if (!keyBlock) throw invalid(source, 'no PRIVATE KEY block; the PEM file must hold the private key and the certificate');
  if (keyBlock.includes('ENCRYPTED')) throw invalid(source, 'the private key is encrypted; export it without a passphrase and protect the file instead');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlock);
  } catch {
    throw invalid(source, 'the private key cannot be read');
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid(source, `the key is ${key.asymmetricKeyType ?? 'unknown'}; Entra ID client assertions need an RSA key`);

  const certificates: X509Certificate[] = [];
  for (const block of pem.match(CERT_BLOCK) ?? []) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      throw invalid(source, 'a CERTIFICATE block cannot be read');
    }
  }
  if (certificates.length === 0) throw invalid(source, 'no CERTIFICATE block; the PEM file must hold the certificate next to the private key');
  const leaf = certificates.find((cert) => cert.checkPrivateKey(key));
  if (!leaf) throw invalid(source, 'no certificate in the file matches the private key');
  const chain = [leaf, ...certificates.filter((cert) => cert !== leaf)];
  return {
    thumbprintSha256: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificateChainPem: chain.map((cert) => cert.toString()).join(''),
    description: `${leaf.subject.replaceAll('\n', ', ')} (valid to ${leaf.validTo})`,
  };
}

export function loadClientCertificate(path: string): ClientCertificate {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return parseClientCertificate(pem, path);
}
