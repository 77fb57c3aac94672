import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSentinelSink } from '../../../connectors/sentinel/index.js';
import { startConnectProxy, type ConnectProxy } from '../../../src/emulators/connect-proxy.js';
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from '../../../src/emulators/logs-ingestion.js';
import { sampleResult } from './support/sample-result.js';
import { sentinelDeps } from './support/sentinel-deps.js';
import { staticTokenSource } from './support/static-token-source.js';

const token = `bearer-${randomBytes(16).toString('hex')}`;
const dcr = `dcr-${randomBytes(16).toString('hex')}`;
const stream = 'Custom-IpEnrichment_CL';

/**
 * The Logs Ingestion SDK reads HTTPS_PROXY/NO_PROXY from the process environment only, unless the
 * client is given its transport (contracts.md §0): the proxy here is an option, never in process.env.
 */
describe('Sentinel Logs Ingestion through the configured proxy', () => {
  let ingest: LogsIngestionEmulator;
  let proxy: ConnectProxy;
  const tokens = staticTokenSource(token);
  let limits: Awaited<ReturnType<typeof sentinelDeps>>;

  beforeAll(async () => {
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) {
      expect(process.env[name], `${name} must not be set for this test`).toBeUndefined();
    }
    [ingest, proxy, limits] = await Promise.all([startLogsIngestionEmulator({ token, rules: { [dcr]: [stream] } }), startConnectProxy(), sentinelDeps()]);
  });
  afterAll(async () => {
    await Promise.all([ingest.close(), proxy.close(), limits.close()]);
  });

  const deliverThrough = async (options: { httpsProxy: string; noProxy?: string }): Promise<string> => {
    const sink = createSentinelSink({ ingestionEndpoint: ingest.url, dcrImmutableId: dcr, incidentComments: false, ...options }, limits.deps(tokens));
    const deliveryId = `msg_${randomUUID()}`;
    try {
      await sink.deliver(sampleResult(), { deliveryId });
    } finally {
      await sink.close();
    }
    return deliveryId;
  };

  it('uploads the rows through the proxy given as an option', async () => {
    const before = proxy.counters.targets.length;
    const deliveryId = await deliverThrough({ httpsProxy: proxy.url });
    expect(ingest.rows.filter((row) => row.DeliveryId === deliveryId)).toHaveLength(sampleResult().ips.length);
    expect(proxy.counters.targets.slice(before)).toEqual([new URL(ingest.url).host]);
  });

  it('reaches a NO_PROXY host directly', async () => {
    const before = proxy.counters.targets.length;
    const deliveryId = await deliverThrough({ httpsProxy: proxy.url, noProxy: 'example.com,127.0.0.1' });
    expect(ingest.rows.filter((row) => row.DeliveryId === deliveryId)).toHaveLength(sampleResult().ips.length);
    expect(proxy.counters.targets.length).toBe(before);
  });
});
