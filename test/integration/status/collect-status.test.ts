import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../../src/composition/runtime.js';
import { SinkHealthBoard } from '../../../src/state/sink-health.js';
import { collectStatus } from '../../../src/status/collect-status.js';
import { renderStatus } from '../../../src/status/render-status.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';

/** An MSSP configuration: no SINKS at the top level (the default tenant), fabrikam with its own webhook. */
function writeTenantsFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ipe-status-')), 'ipenrich.json');
  writeFileSync(
    file,
    JSON.stringify({
      tenants: {
        fabrikam: {
          MDE_TENANT_ID: '22222222-2222-2222-2222-222222222222',
          MDE_CLIENT_ID: 'app-one',
          MDE_CLIENT_SECRET: 'not-a-real-secret-value',
          SINKS: 'webhook',
          WEBHOOK_URL: 'https://hooks.fabrikam.example/ipenrich',
          WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
        },
      },
    }),
  );
  return file;
}

describe('status with tenants that deliver to different sinks', () => {
  const prefix = uniquePrefix('status');
  let runtime: Runtime;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ cleanup } = await connectTestRedis(prefix));
    runtime = await openRuntime({ IPENRICH_CONFIG: writeTenantsFile(), REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: prefix, LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    await runtime.close();
    await cleanup();
  });

  it('lists each tenant\'s own sinks, not only the top level\'s, with their health, as JSON and text', async () => {
    const board = new SinkHealthBoard(runtime.redis, runtime.keys);
    await board.record('fabrikam', 'webhook', { ok: false, error: 'SINK_UNAVAILABLE: receiver answered 503' }, Date.now());
    await board.record('fabrikam', 'webhook', { ok: false, error: 'SINK_UNAVAILABLE: receiver answered 503' }, Date.now());

    const report = JSON.parse(JSON.stringify(await collectStatus(runtime))) as {
      tenants: { tenant: string; sinks: string[]; sinkHealth: Record<string, { failuresSinceSuccess: number }> }[];
      sinks: { configured: string[]; disabledEndpoints: number; disabled: unknown[] };
    };
    expect(Object.fromEntries(report.tenants.map((t) => [t.tenant, t.sinks]))).toEqual({ default: [], fabrikam: ['webhook'] });
    expect(report.sinks).toEqual({ configured: ['webhook'], disabledEndpoints: 0, disabled: [] });
    expect(Object.fromEntries(report.tenants.map((t) => [t.tenant, t.sinkHealth]))).toEqual({
      default: {},
      fabrikam: { webhook: expect.objectContaining({ failuresSinceSuccess: 2, lastSuccessAt: null }) as unknown },
    });

    const text = renderStatus(await collectStatus(runtime));
    expect(text).not.toContain('none configured');
    expect(text).toMatch(/^Tenant default\n(?: {2}.*\n)*? {2}sinks {2}none \(SINKS\)\n\n/m);
    expect(text).toMatch(/^Tenant fabrikam\n(?: {2}.*\n)*? {2}sinks {2}webhook\n {4}webhook {3}FAILING \(2 since last success\): SINK_UNAVAILABLE: receiver answered 503 {2}last success never$/m);
    expect(text).toMatch(/^Sinks {2}webhook {2}\(all tenants; per tenant above\)$/m);
  });

  it('says so for a tenant\'s sink with no delivery recorded, as after an upgrade from 0.1.0', async () => {
    await runtime.redis.del(runtime.keys.sinkHealth('fabrikam'));
    // What 0.1.0 kept per sink name for every tenant: not attributable to one, never shown.
    await runtime.redis.hset(`${runtime.keys.prefix}:sink-health`, 'webhook:lastFailureAt', '2026-11-26T00:00:00.000Z', 'webhook:failures', '3', 'webhook:lastError', 'SINK_UNAVAILABLE: old');
    const report = await collectStatus(runtime);
    expect(report.tenants.map((t) => t.sinkHealth)).toEqual([{}, {}]);
    expect(renderStatus(report)).toMatch(/^ {2}sinks {2}webhook\n {4}webhook {3}no delivery recorded yet$/m);
    expect(renderStatus(report)).not.toMatch(/FAILING|SINK_UNAVAILABLE/);
  });
});

describe('status with two tenants on one Defender credential', () => {
  const prefix = uniquePrefix('status-shared');
  let runtime: Runtime;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ cleanup } = await connectTestRedis(prefix));
    const credential = { MDE_TENANT_ID: '33333333-3333-3333-3333-333333333333', MDE_CLIENT_ID: 'app-shared', MDE_CLIENT_SECRET: 'not-a-real-secret-value' };
    const file = join(mkdtempSync(join(tmpdir(), 'ipe-status-')), 'ipenrich.json');
    writeFileSync(file, JSON.stringify({ tenants: { contoso: credential, fabrikam: credential } }));
    runtime = await openRuntime({ IPENRICH_CONFIG: file, REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: prefix, LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    await runtime.close();
    await cleanup();
  });

  it('says which tenants spend one budget, so its figures are not added up twice', async () => {
    const report = await collectStatus(runtime);
    expect(Object.fromEntries(report.tenants.map((t) => [t.tenant, t.budgetSharedWith]))).toEqual({ default: [], contoso: ['fabrikam'], fabrikam: ['contoso'] });
    expect(renderStatus(report)).toMatch(/^Tenant fabrikam\n(?: {2}.*\n)*? {2}budget shared with contoso \(one Defender credential scope, MDE_BUDGET_SCOPE\)/m);
  });
});
