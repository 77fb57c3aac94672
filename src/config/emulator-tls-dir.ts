/** Where the local emulators' certificate is shared between processes (set by the test harness and `emulate`). */
export const TLS_DIR_ENV = 'IPENRICH_EMULATOR_TLS_DIR';

/**
 * The emulators' shared certificate folder from the environment: the test harness makes one per run
 * and points NODE_EXTRA_CA_CERTS at it before any test process starts. Read here because src/config
 * is the only reader of the environment.
 */
export function emulatorTlsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[TLS_DIR_ENV];
}
