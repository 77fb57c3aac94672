import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { buildDefenderParts } from '../../../src/composition/shared-parts.js';
import { createLogger } from '../../../src/log.js';
import { createHttpTransport } from '../../../src/http/transport.js';
import { isHttpTransportError } from '../../../src/http/transport-error.js';
import { startConnectProxy, type ConnectProxy } from '../../../src/emulators/connect-proxy.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';

describe('HTTPS_PROXY', () => {
  let emulators: Emulators;
  let proxy: ConnectProxy;
  let guarded: ConnectProxy;
  const proxyPassword = 'pr0xy-pa55word';

  beforeAll(async () => {
    [emulators, proxy, guarded] = await Promise.all([startEmulators(), startConnectProxy(), startConnectProxy({ credentials: { user: 'svc-ipenrich', password: proxyPassword } })]);
  });
  afterAll(async () => {
    await Promise.all([emulators.close(), proxy.close(), guarded.close()]);
  });

  it('tunnels HTTPS through the proxy and keeps the tunnel alive for the next request', async () => {
    const before = proxy.counters.tunnels;
    const transport = createHttpTransport({ httpsProxy: proxy.url, connectionsPerOrigin: 1 });
    try {
      for (const path of ['/nowhere-1', '/nowhere-2', '/nowhere-3']) expect((await transport.request({ method: 'GET', url: `${emulators.defender.url}${path}` })).status).toBe(404);
      expect(proxy.counters.tunnels - before).toBe(1);
      expect(proxy.counters.targets.at(-1)).toBe(emulators.defender.host);
    } finally {
      await transport.close();
    }
  });

  it('NO_PROXY hosts are reached directly', async () => {
    const before = proxy.counters.tunnels;
    const transport = createHttpTransport({ httpsProxy: proxy.url, noProxy: 'example.com,127.0.0.1' });
    try {
      expect((await transport.request({ method: 'GET', url: `${emulators.defender.url}/direct` })).status).toBe(404);
      expect(proxy.counters.tunnels).toBe(before);
    } finally {
      await transport.close();
    }
  });

  it('sends proxy credentials from the URL; a refusal does not show the password', async () => {
    const good = createHttpTransport({ httpsProxy: guarded.urlWithCredentials });
    const bad = createHttpTransport({ httpsProxy: guarded.urlWithCredentials.replace(encodeURIComponent(proxyPassword), 'wrong-password') });
    try {
      expect((await good.request({ method: 'GET', url: `${emulators.entra.url}/x` })).status).toBe(404);
      expect(guarded.counters.tunnels).toBe(1);
      const error: unknown = await bad.request({ method: 'GET', url: `${emulators.entra.url}/x` }).catch((thrown: unknown) => thrown);
      expect(isHttpTransportError(error) && error.kind).toBe('network');
      expect(guarded.counters.refusedAuth).toBe(1);
      expect(String((error as Error).message)).not.toContain(proxyPassword);
    } finally {
      await Promise.all([good.close(), bad.close()]);
    }
  });

  it('carries both the msal-node token request and the Defender call when set in the configuration', async () => {
    const before = proxy.counters.targets.length;
    const config = loadConfig({ ...emulators.env, HTTPS_PROXY: proxy.url });
    const parts = buildDefenderParts(config, createLogger({ level: 'silent' }));
    try {
      const record = await parts.defender.clientFor('default').getIpStats({ ip: '198.51.100.77', lookBackHours: 720 });
      expect(record.ip).toBe('198.51.100.77');
    } finally {
      await parts.close();
    }
    expect(proxy.counters.targets.slice(before).sort()).toEqual([emulators.entra.host, emulators.defender.host].sort());
    expect(emulators.entra.counters.tokenRequests).toBeGreaterThanOrEqual(1);
  });
});
