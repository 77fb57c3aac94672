import { createPrivateKey } from 'node:crypto';
import { generate } from 'selfsigned';

/** An application certificate as an operator would upload it to an app registration, made fresh per test run. */
export interface ClientCertificateFiles {
  /** Public certificate only: what the Entra emulator registers for the client. */
  readonly certPem: string;
  /** PKCS#8 private key. */
  readonly keyPem: string;
  /** The same key as PKCS#1 (`BEGIN RSA PRIVATE KEY`), as older tooling exports it. */
  readonly keyPkcs1Pem: string;
  /** Key followed by certificate: what MDE_CERTIFICATE_PATH points at. */
  readonly bundlePem: string;
}

export async function makeClientCertificate(commonName = 'ipenrich-test-app', options: { ca?: { key: string; cert: string } } = {}): Promise<ClientCertificateFiles> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 2 * 86_400_000),
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const keyPkcs1Pem = createPrivateKey(pems.private).export({ type: 'pkcs1', format: 'pem' }).toString();
  return { certPem: pems.cert, keyPem: pems.private, keyPkcs1Pem, bundlePem: `${pems.private}\n${pems.cert}` };
}
