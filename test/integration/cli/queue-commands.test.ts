import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS_QUEUE, createAlertsQueue, type AlertsQueue } from '../../../src/queue/alerts-queue.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { keySpace } from '../../../src/redis/keys.js';
import { runCli } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

function cli(args: string[], env: NodeJS.ProcessEnv, input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/bin.ts', ...args], {
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    timeout: 100_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Each test starts ipenrich through tsx: on a loaded machine that alone can take many seconds. The
// time-out guards against a hang; it is not a speed bound.
describe('enqueue, dlq, status and webhook-enable against real Redis', { timeout: 120_000 }, () => {
  const prefix = uniquePrefix('cli');
  const env = { REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: prefix, LOG_LEVEL: 'silent' };
  const dir = mkdtempSync(join(tmpdir(), 'ipe-cli-'));
  let redis: Redis;
  let queue: AlertsQueue;

  beforeAll(() => {
    redis = createRedis(testRedisUrl());
    queue = createAlertsQueue(redis, keySpace(prefix));
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it('queues a file, a JSON array and NDJSON from stdin, and recognises an alert sent twice', async () => {
    const file = join(dir, 'alert.json');
    writeFileSync(file, JSON.stringify({ SystemAlertId: 'alert-1', Entities: '[{"$id":"1","Type":"ip","Address":"203.0.113.5"}]' }));
    const first = cli(['enqueue', file], env);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const [job] = jsonLines(first.stdout);
    expect(job).toMatchObject({ duplicate: false, tenant: 'default' });

    const again = jsonLines(cli(['enqueue', file], env).stdout);
    expect(again).toEqual([{ ...job, duplicate: true }]);

    const ndjson = ['{"id":"n-1","src_ip":"198.51.100.1"}', '', '{"id":"n-2","src_ip":"198.51.100.2"}'].join('\n');
    const fromStdin = jsonLines(cli(['enqueue', '-'], env, ndjson).stdout);
    expect(fromStdin.map((row) => row.duplicate)).toEqual([false, false]);
    const array = jsonLines(cli(['enqueue'], env, JSON.stringify([{ id: 'arr-1' }, { id: 'arr-2' }, { id: 'arr-3' }])).stdout);
    expect(array).toHaveLength(3);
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(6);
    const twiceInOneBatch = jsonLines(cli(['enqueue'], env, JSON.stringify([{ id: 'twice' }, { id: 'twice' }])).stdout);
    expect(twiceInOneBatch.map((row) => row.duplicate)).toEqual([false, true]);
  });

  it('refuses bad input with exit 2 and one line, and queues nothing from it', async () => {
    const before = await queue.count();
    expect(before).toBe(7);
    const bad = cli(['enqueue', '-'], env, '{"id":"ok-1"}\n{"id": oops}\n');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^ipenrich enqueue: INPUT_NOT_JSON: standard input: neither JSON nor NDJSON \(line 2/);
    expect(await queue.count()).toBe(before);
    expect(cli(['enqueue', join(dir, 'missing.json')], env)).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot read') as string });
    expect(cli(['enqueue', '--tenant', 'nobody', join(dir, 'alert.json')], env).stderr).toContain('unknown tenant "nobody"');
    // A name every plain object answers to is no tenant either.
    expect(cli(['enqueue', '--tenant', 'constructor', join(dir, 'alert.json')], env).stderr).toContain('unknown tenant "constructor"');
  });

  it('refuses, as POST /v1/alerts does, what is not an alert, and a callback URL the webhook sink would refuse: exit 2, one line, nothing queued', async () => {
    const before = await queue.count();
    const refused = async (args: string[], input: string, says: RegExp): Promise<void> => {
      const run = await runCli(['enqueue', ...args], env, input);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(says);
    };
    await refused(['-'], '[1,"x"]', /^ipenrich enqueue: INPUT_INVALID: standard input: at 0: expected an alert \(a JSON object\)/);
    await refused(['-'], '{}', /INPUT_INVALID: standard input: an alert must be a JSON object with at least one field/);
    await refused(['-'], '[]', /INPUT_INVALID: standard input: an empty array holds no alert/);
    await refused(['-'], '"203.0.113.5"', /INPUT_INVALID: standard input: expected an alert \(a JSON object\).*got string/);
    await refused(['-'], '{"id":"ok-2"}\n7\n', /INPUT_INVALID: standard input line 2: expected an alert/);
    await refused(['-', '--callback-url', 'notaurl'], '{"id":"cb-1"}', /^ipenrich enqueue: USAGE: --callback-url must be an http:\/\/ or https:\/\/ URL/);
    // No WEBHOOK_SECRET: the worker could not sign the callback, and would dead-letter the alert after enriching it.
    await refused(['-', '--callback-url', 'https://receiver.example/hook'], '{"id":"cb-2"}', /^ipenrich enqueue: CALLBACK_URL_REFUSED: callback URLs need WEBHOOK_SECRET/);
    await refused(['-'], JSON.stringify({ alert: { id: 'env-1' }, tenant: 'nobody' }), /^ipenrich enqueue: TENANT_UNKNOWN: an envelope names tenant "nobody"/);
    // An element of a Graph list is checked as the input's own envelope would be.
    await refused(['-'], JSON.stringify({ value: [{ alert: { id: 'gl-1' }, TENANT: 'nobody' }] }), /^ipenrich enqueue: INPUT_INVALID: standard input: at value\.0: Unrecognized key: "TENANT"/);
    await refused(['-'], JSON.stringify({ value: [{ alert: { id: 'gl-2' }, tenant: 7 }] }), /^ipenrich enqueue: INPUT_INVALID: standard input: at value\.0\.tenant: /);
    expect(await queue.count()).toBe(before);
  });

  it('takes the alert, tenant and callback URL out of an envelope, as the ingress does', async () => {
    const secret = { ...env, WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, WEBHOOK_CALLBACK_ALLOWLIST: 'receiver.example' };
    const envelope = { alert: { id: 'env-2', src_ip: '198.51.100.9' }, callbackUrl: 'https://receiver.example/hook?sig=x' };
    const run = await runCli(['enqueue', '-'], { ...secret, LOG_LEVEL: 'silent' }, JSON.stringify(envelope));
    expect(run.stderr).toBe('');
    const [row] = jsonLines(run.stdout);
    const job = await queue.getJob(String(row?.jobId));
    expect(job?.data).toMatchObject({ alert: envelope.alert, tenant: 'default', callbackUrl: envelope.callbackUrl });
  });

  it('lists, retries and purges failed alerts', async () => {
    await queue.drain();
    jsonLines(cli(['enqueue'], env, JSON.stringify([{ id: 'dead-1' }, { id: 'dead-2' }])).stdout);
    const failing = new Worker(ALERTS_QUEUE, () => Promise.reject(new UnrecoverableError('SINK_REJECTED: webhook: 400 bad request')), { connection: createRedis(testRedisUrl()), prefix });
    await expect.poll(() => queue.getFailedCount(), { timeout: 60_000 }).toBe(2);
    await failing.close();

    const listed = JSON.parse(cli(['dlq', 'list', '--json'], env).stdout) as { jobId: string; reason: string }[];
    expect(listed).toHaveLength(2);
    expect(listed[0]?.reason).toBe('SINK_REJECTED: webhook: 400 bad request');
    expect(cli(['dlq', 'list'], env).stdout).toContain('SINK_REJECTED: webhook: 400 bad request');

    expect(cli(['dlq', 'retry', listed[0]?.jobId ?? ''], env).stdout).toBe('Retried 1 job(s).\n');
    expect(await queue.getFailedCount()).toBe(1);
    expect(await queue.getJobState(listed[0]?.jobId ?? '')).not.toBe('failed');
    expect(cli(['dlq', 'purge', '--all'], env).stdout).toBe('Purged 1 job(s).\n');
    expect(cli(['dlq', 'list'], env).stdout).toBe('The dead-letter queue is empty.\n');
    expect(cli(['dlq', 'retry', 'no-such-job'], env)).toMatchObject({ status: 2 });
    expect(cli(['dlq', 'purge'], env).stderr).toContain('needs job ids or --all');
  });

  it('lists failed alerts with callback credentials redacted and terminal controls escaped', async () => {
    await queue.drain();
    const sig = 'c4llb4ckS1gnature';
    const callbackUrl = `https://prod-27.westeurope.logic.azure.com/workflows/w1/triggers/manual/paths/invoke?api-version=2016-10-01&sv=1.0&sig=${sig}`;
    // A tenant that may have callbacks: signed, to that host (enqueue checks as the ingress does).
    const callbacks = { WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 9).toString('base64')}`, WEBHOOK_CALLBACK_ALLOWLIST: 'prod-27.westeurope.logic.azure.com' };
    expect((await runCli(['enqueue', '--callback-url', callbackUrl], { ...env, ...callbacks }, JSON.stringify({ id: 'dead-\u001b[2J\u202eexe.txt' }))).code).toBe(0);
    const failing = new Worker(ALERTS_QUEUE, (job: Job<{ callbackUrl: string }>) => Promise.reject(new UnrecoverableError(`callback: SINK_REJECTED: POST ${job.data.callbackUrl} answered 400: \u001b[31mok\u009b0m \u202etxt.exe`)), { connection: createRedis(testRedisUrl()), prefix });
    await expect.poll(() => queue.getFailedCount(), { timeout: 10_000 }).toBe(1);
    await failing.close();

    const text = cli(['dlq', 'list'], env).stdout;
    const json = cli(['dlq', 'list', '--json'], env).stdout;
    for (const out of [text, json]) {
      expect(out).not.toContain(sig);
      // eslint-disable-next-line no-control-regex -- the characters under test
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    expect(text).toContain('/paths/invoke?api-version=2016-10-01&sv=1.0&sig=REDACTED answered 400: \\u001b[31mok\\u009b0m \\u202etxt.exe');
    expect(text).toContain('dead-\\u001b[2J\\u202eexe.txt');
    // JSON stays lossless apart from the credential: the controls are JSON escapes.
    const [row] = JSON.parse(json) as { alertId: string; reason: string }[];
    expect(row?.alertId).toBe('dead-\u001b[2J\u202eexe.txt');
    expect(row?.reason).toContain('sig=REDACTED answered 400: \u001b[31mok\u009b0m \u202etxt.exe');
    cli(['dlq', 'purge', '--all'], env);
  });

  it('shows queue, budget and cache status, as text and JSON', async () => {
    // What workers' refresh-ahead counted (src/metrics/shared-metrics.ts).
    await redis.hset(keySpace(prefix).metric('ipenrich_cache_refreshes_total'), '["default","refreshed"]', '7', '["default","no-budget"]', '3');
    const json = JSON.parse(cli(['status', '--json'], { ...env, MDE_RATE_LIMITS: '20/1s,100/10s' }).stdout) as {
      queue: Record<string, number>;
      tenants: { tenant: string; budget: { windows: { max: number; remaining: number }[] }; pending: { alerts: number; limit: number } }[];
    };
    expect(json.queue).toHaveProperty('waiting');
    // No worker runs here: every alert queued by the tests above is still pending.
    const pending = json.tenants[0]?.pending;
    expect(pending?.limit).toBe(20_000);
    expect(pending?.alerts).toBeGreaterThanOrEqual(await queue.getJobCountByTypes('waiting', 'prioritized'));
    expect(pending?.alerts).toBeGreaterThan(0);
    expect(json.tenants[0]?.tenant).toBe('default');
    expect(json.tenants[0]?.budget.windows.map((w) => [w.max, w.remaining])).toEqual([[20, 20], [100, 100]]);
    const text = cli(['status'], env).stdout;
    expect(text).toMatch(/budget +100\/1min/);
    expect(text).toMatch(/budget +1500\/1h/);
    expect(text).toContain('refresh-ahead  7 entries refreshed with spare budget, 3 times none was spare');
    expect(text).toContain(`pending  ${pending?.alerts} alerts (limit 20000, TENANT_MAX_PENDING_ALERTS)`);
  });

  it('re-enables a webhook endpoint disabled after 410', async () => {
    const { createRedisDisabledEndpoints } = await import('../../../connectors/webhook/index.js');
    const store = createRedisDisabledEndpoints(redis, keySpace(prefix).disabledEndpoints());
    const url = new URL('https://hooks.example.com/ipenrich');
    await store.disable(url, { endpoint: url.href, status: 410, at: new Date().toISOString() });
    const status = cli(['status'], env).stdout;
    expect(status).toContain('1 webhook endpoint(s) disabled');
    expect(status).toContain(`    https://hooks.example.com/ipenrich (410 at `);
    expect(cli(['webhook-enable', url.href], env).stdout).toBe('Re-enabled.\n');
    expect(await store.isDisabled(url)).toBe(false);
  });

  it('refuses alerts past the tenant\'s TENANT_MAX_PENDING_ALERTS with exit 1 and one line, queuing none of them', async () => {
    const own = { ...env, IPENRICH_PREFIX: uniquePrefix('cli-backlog'), TENANT_MAX_PENDING_ALERTS: '2' };
    const ownQueue = createAlertsQueue(redis, keySpace(own.IPENRICH_PREFIX));
    try {
      expect((await runCli(['enqueue', '-'], own, '{"id":"b-1"}\n{"id":"b-2"}\n')).code).toBe(0);
      const full = await runCli(['enqueue', '-'], own, '{"id":"b-3"}');
      expect(full.code).toBe(1);
      expect(full.stderr.trim().split('\n')).toHaveLength(1);
      expect(full.stderr).toMatch(/^ipenrich enqueue: BACKLOG_FULL: tenant "default" has 2 alerts pending and this request adds 1: more than TENANT_MAX_PENDING_ALERTS \(2\); nothing was queued/);
      expect(await ownQueue.count()).toBe(2);
    } finally {
      await ownQueue.obliterate({ force: true });
      await ownQueue.close();
    }
  });

  it('fails fast with one line when Redis is unreachable', () => {
    const down = cli(['status'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.status).toBe(1);
    expect(down.stderr.trim()).toMatch(/^ipenrich status: REDIS_UNAVAILABLE: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*start redis-server or set REDIS_URL$/);
  });
});
