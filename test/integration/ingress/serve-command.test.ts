import { describe, expect, it } from 'vitest';
import { startEmulators } from '../../../src/emulators/emulators.js';
import { hashApiKey } from '../../../src/ingress/api-keys.js';
import { freePort } from '../../../src/redis/local-server.js';
import { spawnCli, waitFor } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

const BASE_ENV = { REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: uniquePrefix('serve'), INGRESS_PORT: '0', LOG_LEVEL: 'warn', INGRESS_API_KEYS: '', INGRESS_INSECURE_NO_AUTH: '' };

// Each test starts ipenrich through tsx: on a loaded machine that alone can take many seconds. The
// time-out guards against a hang; it is not a speed bound.
describe('ipenrich serve', { timeout: 120_000 }, () => {
  it('refuses to start without keys, and insecure mode off loopback, with exit code 2', async () => {
    const noKeys = spawnCli(['serve'], { ...BASE_ENV, INGRESS_HOST: '127.0.0.1' });
    expect(await noKeys.exited).toBe(2);
    expect(noKeys.output()).toMatch(/CONFIG_INVALID: .*needs INGRESS_API_KEYS/);

    const exposed = spawnCli(['serve'], { ...BASE_ENV, INGRESS_HOST: '0.0.0.0', INGRESS_INSECURE_NO_AUTH: 'true' });
    expect(await exposed.exited).toBe(2);
    expect(exposed.output()).toMatch(/INGRESS_INSECURE_NO_AUTH is allowed on a loopback host only/);
  });

  it('makes a key and the INGRESS_API_KEYS entry that matches it', async () => {
    const cli = spawnCli(['serve', '--new-key', '--tenant', 'contoso'], BASE_ENV);
    expect(await cli.exited).toBe(0);
    const key = /API key .*: (ipe_\S+)/.exec(cli.output())?.[1] ?? '';
    expect(key).toMatch(/^ipe_/);
    expect(cli.output()).toContain(`INGRESS_API_KEYS entry (add it, comma-separated): ${hashApiKey(key)}@contoso`);
  });

  it('started while Redis is down, stops on the first SIGTERM with exit 0', async () => {
    const cli = spawnCli(['serve', '--host', '127.0.0.1'], { ...BASE_ENV, REDIS_URL: `redis://127.0.0.1:${await freePort()}`, INGRESS_INSECURE_NO_AUTH: 'true' });
    try {
      await waitFor(() => `the listening line in: ${cli.output()}`, () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(cli.output()), 45_000);
    } finally {
      cli.child.kill('SIGTERM');
    }
    // Before, its connection kept reconnecting to the absent Redis and the process never ended.
    expect(await cli.exited).toBe(0);
  });

  it('serves with an in-process worker on loopback, and stops cleanly on SIGTERM', async () => {
    // A credential the worker accepts at start; the alert has no public IP, so Entra ID is never asked.
    const credential = { MDE_TENANT_ID: '00000000-0000-0000-0000-000000000001', MDE_CLIENT_ID: '00000000-0000-0000-0000-000000000002', MDE_CLIENT_SECRET: 'unused' };
    const cli = spawnCli(['serve', '--worker', '--host', '127.0.0.1'], { ...BASE_ENV, ...credential, INGRESS_INSECURE_NO_AUTH: 'true' });
    try {
      await waitFor(() => `the listening line in: ${cli.output()}`, () => /listening on http:\/\/127\.0\.0\.1:\d+ \(with a worker\)/.test(cli.output()), 45_000);
      const url = /listening on (\S+)/.exec(cli.output())?.[1] ?? '';
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const accepted = await fetch(`${url}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note: 'loopback 127.0.0.1 only' }) });
      expect(accepted.status).toBe(202);
      const { jobs } = (await accepted.json()) as { jobs: { statusUrl: string }[] };
      await waitFor('the worker to finish the job', async () => (await fetch(`${url}${jobs[0]?.statusUrl ?? ''}`)).status === 200, 20_000);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
  }, 90_000);

  it('with a worker whose job hangs at Defender: exits 3 after WORKER_SHUTDOWN_TIMEOUT_MS, saying which job it left; a second signal is not needed', async () => {
    const emulators = await startEmulators({ defender: { mode: { latencyMs: 60_000 } } });
    const cli = spawnCli(['serve', '--worker', '--host', '127.0.0.1'], {
      ...BASE_ENV,
      ...emulators.env,
      IPENRICH_PREFIX: uniquePrefix('serve-stop'),
      INGRESS_INSECURE_NO_AUTH: 'true',
      MDE_TIMEOUT_MS: '90000',
      COALESCE_LOCK_MS: '100000',
      WORKER_SHUTDOWN_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(() => `the listening line in: ${cli.output()}`, () => /listening on http:\/\/127\.0\.0\.1:\d+ \(with a worker\)/.test(cli.output()), 45_000);
      const url = /listening on (\S+)/.exec(cli.output())?.[1] ?? '';
      const accepted = await fetch(`${url}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ src_ip: '203.0.113.77' }) });
      expect(accepted.status).toBe(202);
      await waitFor('the call to hang at Defender', () => emulators.defender.counters.totalCalls === 1, 30_000);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(3);
      const stopped = cli.output().split('\n').filter((line) => line.includes('"msg":"ingress stopped"'));
      expect(stopped).toHaveLength(1);
      expect(JSON.parse(stopped[0] ?? '{}')).toMatchObject({ exitCode: 3, reason: 'shutdown timeout', leftBehind: 1 });
    } finally {
      cli.child.kill('SIGKILL');
      await emulators.close();
    }
  });
});
