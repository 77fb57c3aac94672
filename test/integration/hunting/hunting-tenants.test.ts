import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSharedParts, type SharedParts } from '../../../src/composition/shared-parts.js';
import { loadConfig } from '../../../src/config/load.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { createLogger } from '../../../src/log.js';
import { createRedis, type Redis } from '../../../src/redis/connection.js';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../../support/redis.js';

/**
 * Tenants are a boundary for hunting too: each tenant's queries carry its own credential (the Graph
 * emulator counts its 1-a-minute limit per Entra tenant, so a borrowed token would be refused) and
 * spend its own hunting budget. Production composition (buildSharedParts) from an IPENRICH_CONFIG file.
 */
describe('hunting per tenant: own credential, own budget', () => {
  const prefix = uniquePrefix('hunting-tenants');
  let emulators: Emulators;
  let cleanup: () => Promise<void>;
  let connection: Redis;
  let parts: SharedParts;

  beforeAll(async () => {
    emulators = await startEmulators({ graph: { rateLimits: '1/60s' } });
    ({ cleanup } = await connectTestRedis(prefix));
    const fabrikam = { tenantId: `fabrikam-${randomBytes(4).toString('hex')}`, clientId: 'fabrikam-app', secret: `f-${randomBytes(12).toString('hex')}` };
    emulators.entra.register({ tenantId: fabrikam.tenantId, clientId: fabrikam.clientId, secrets: [fabrikam.secret] });
    const file = join(mkdtempSync(join(tmpdir(), 'ipe-hunting-tenants-')), 'ipenrich.json');
    writeFileSync(
      file,
      JSON.stringify({
        MDE_SOURCE: 'hunting',
        tenants: {
          // contoso inherits the top level's credential (the emulators' default client).
          contoso: {},
          fabrikam: { MDE_TENANT_ID: fabrikam.tenantId, MDE_CLIENT_ID: fabrikam.clientId, MDE_CLIENT_SECRET: fabrikam.secret },
        },
      }),
    );
    const config = loadConfig({
      ...emulators.env,
      IPENRICH_CONFIG: file,
      IPENRICH_DEFAULT_TENANT: 'contoso',
      REDIS_URL: testRedisUrl(),
      IPENRICH_PREFIX: prefix,
      GRAPH_HUNTING_LIMITS: '1/60s',
      LOG_LEVEL: 'silent',
    });
    connection = createRedis(testRedisUrl());
    parts = buildSharedParts(config, { logger: createLogger({ level: 'silent' }), redis: connection });
  });
  afterAll(async () => {
    await parts.close();
    await connection.quit();
    await cleanup();
    await emulators.close();
  });

  it('one tenant spending its hunting budget leaves the other its own, queried with its own token', async () => {
    const contoso = await parts.enricher.enrich('contoso', ['198.51.100.21', '198.51.100.22', '198.51.100.23'], { lookBackHours: 720 });
    expect(contoso.map((r) => r.record?.source)).toEqual(['hunting', 'hunting', 'hunting']);
    const fabrikam = await parts.enricher.enrich('fabrikam', ['198.51.100.31', '198.51.100.32'], { lookBackHours: 720, deadline: Date.now() + 5_000 });
    expect(fabrikam.map((r) => r.record?.source)).toEqual(['hunting', 'hunting']);

    // contoso's minute is spent: its next new IP waits, without a query.
    const again = await parts.enricher.enrich('contoso', ['198.51.100.24'], { lookBackHours: 720, deadline: Date.now() + 200 });
    expect(again.map((r) => r.status)).toEqual(['deferred']);
    expect(emulators.graph.counters.servedCalls).toBe(2);
    expect(emulators.graph.counters.throttledCalls).toBe(0);
    expect(emulators.defender.counters.totalCalls).toBe(0);
  }, 60_000);
});
