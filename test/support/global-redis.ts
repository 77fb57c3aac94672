import type { TestProject } from 'vitest/node';
import { startLocalRedis, type LocalRedis } from '../../src/redis/local-server.js';
import { generateTls, TLS_DIR_ENV } from '../../src/emulators/tls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let server: LocalRedis | undefined;

/**
 * Runs once before any test process starts:
 * - Redis: REDIS_URL when set; otherwise one redis-server on a free port in a temp dir.
 * - TLS: one self-signed certificate for every emulator, trusted by the test processes through
 *   NODE_EXTRA_CA_CERTS (read by Node only at start, hence set here, before the workers fork).
 */
export async function setup(project: TestProject): Promise<void> {
  const tls = await generateTls();
  process.env[TLS_DIR_ENV] = tls.certPath.replace(/\/cert\.pem$/, '');
  process.env.NODE_EXTRA_CA_CERTS = tls.certPath;

  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    project.provide('redisUrl', fromEnv);
    return;
  }
  server = await startLocalRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
