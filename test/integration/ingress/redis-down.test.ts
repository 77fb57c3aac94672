import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../../src/redis/connection.js';
import { startLocalRedis, type LocalRedis } from '../../../src/redis/local-server.js';
import { waitFor } from '../../support/cli-process.js';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';

const alert = (id: string): Record<string, unknown> => ({ event: { id, kind: 'alert' }, source: { ip: '203.0.113.9' } });

describe('ingress while its Redis is down', () => {
  let redis: LocalRedis;
  let harness: IngressHarness;

  beforeAll(async () => {
    redis = await startLocalRedis();
    harness = await startIngressHarness({ redisUrl: redis.url, env: { INGRESS_REDIS_TIMEOUT_MS: '1000' }, logLevel: 'info' });
  });

  afterAll(async () => {
    await harness.close();
    await redis.stop();
  });

  it('answers 503 (never 202) while Redis is stopped, stays alive, and accepts alerts again once it is back', async () => {
    expect((await harness.http('POST', '/v1/alerts', { body: alert('before') })).status).toBe(202);
    const { port } = redis;
    await redis.stop();

    for (const [method, path, body] of [
      ['POST', '/v1/alerts', alert('during')],
      ['POST', '/v1/enrich', alert('during-sync')],
      ['POST', '/v1/lookup', { ips: ['203.0.113.9'] }],
      ['GET', '/v1/jobs/a0000000000000000000000000000000', undefined],
    ] as const) {
      const answer = await harness.http(method, path, body === undefined ? {} : { body });
      expect(answer.status, `${method} ${path}`).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 'REDIS_UNAVAILABLE', message: expect.stringMatching(/; nothing was done, retry later$/) as unknown } });
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    // An outage is not a bug: each refused request is one warning, without a stack (the connection
    // watch reports the outage itself once per change).
    const refused = harness.logLines().filter((line) => line.status === 503 || line.msg === 'request failed');
    expect(refused.map((line) => [line.level, line.msg])).toEqual(Array.from({ length: 4 }, () => ['warn', 'request']));
    expect(JSON.stringify(harness.logLines())).not.toContain('"stack"');
    expect((await harness.http('GET', '/readyz', { key: null })).status).toBe(503);
    expect((await harness.http('GET', '/healthz', { key: null })).status).toBe(200);
    const metrics = await harness.http('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^ipenrich_redis_up 0$/m);
    expect(metrics.text).toMatch(/^ipenrich_http_requests_total\{route="\/v1\/alerts",method="POST",status="503"\} 1$/m);

    redis = await startLocalRedis({ port });
    await waitFor('/readyz to recover', async () => (await harness.http('GET', '/readyz', { key: null })).status === 200, 15_000);
    const after = await harness.http('POST', '/v1/alerts', { body: alert('after') });
    expect(after.status).toBe(202);
    const jobId = (after.json as { jobs: { jobId: string }[] }).jobs[0]?.jobId ?? '';
    expect((await harness.http('GET', `/v1/jobs/${jobId}`)).status).toBe(202);
  });

  it('says an alert may have been queued when Redis took it but answered too late, and the same alert sent again is recognised', async () => {
    const paused = createRedis(redis.url);
    try {
      // Redis holds every write past the ingress' 1 s bound, then carries it out.
      await paused.call('CLIENT', 'PAUSE', '2500', 'WRITE');
      const late = await harness.http('POST', '/v1/alerts', { body: alert('late') });
      expect(late.status).toBe(503);
      expect(late.json).toMatchObject({ error: { code: 'REDIS_UNAVAILABLE', message: expect.stringContaining('the request may have been carried out all the same') as unknown } });
      // A write of our own returns once the pause is over, after the ones held before it.
      await paused.set(`${harness.config.IPENRICH_PREFIX}:test-pause-over`, '1');
      const again = await harness.http('POST', '/v1/alerts', { body: alert('late') });
      expect(again.status).toBe(202);
      expect(again.json).toMatchObject({ jobs: [{ duplicate: true }] });
    } finally {
      await paused.call('CLIENT', 'UNPAUSE');
      await paused.quit();
    }
  });
});
