import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorTls } from '../../src/emulators/tls.js';

describe('emulator TLS', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;

  beforeAll(async () => {
    const tls = await emulatorTls();
    server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is trusted by global fetch in test processes through NODE_EXTRA_CA_CERTS', async () => {
    const response = await fetch(url);
    expect(await response.text()).toBe('ok');
  });
});
