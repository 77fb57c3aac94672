import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { emulatorTlsDir, TLS_DIR_ENV } from '../config/emulator-tls-dir.js';

/** A self-signed server certificate for 127.0.0.1, ::1 and localhost, and where its PEM lives on disk. */
export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  /** Path of the certificate PEM: what NODE_EXTRA_CA_CERTS (or a `ca` option) must point at to trust it. */
  readonly certPath: string;
}

/** Directory of a certificate already made for this run (set by the test harness and `emulate`). */
export { TLS_DIR_ENV };

function readFrom(dir: string): TlsMaterial {
  const certPath = join(dir, 'cert.pem');
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

/** Generates a fresh certificate into `dir` (a new temp dir by default). */
export async function generateTls(dir = mkdtempSync(join(tmpdir(), 'ipenrich-tls-'))): Promise<TlsMaterial> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 7 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  writeFileSync(join(dir, 'key.pem'), pems.private, { mode: 0o600 });
  writeFileSync(join(dir, 'cert.pem'), pems.cert);
  return readFrom(dir);
}

let shared: Promise<TlsMaterial> | undefined;

/**
 * The certificate every emulator in this process serves: the one in $IPENRICH_EMULATOR_TLS_DIR when
 * set (the test harness makes one per run and points NODE_EXTRA_CA_CERTS at it before any test
 * process starts), otherwise one generated on first use.
 */
export function emulatorTls(dir: string | undefined = emulatorTlsDir()): Promise<TlsMaterial> {
  shared ??= dir && existsSync(join(dir, 'cert.pem')) ? Promise.resolve(readFrom(dir)) : generateTls();
  return shared;
}
