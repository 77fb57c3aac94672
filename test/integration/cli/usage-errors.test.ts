/**
 * A mistake on the command line is the user's to fix: exit 2 and one line that says what is wrong
 * (docs/ERRORS.md), never exit 1 as an INTERNAL error, and never ignored.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../../support/cli-process.js';
import { testRedisUrl } from '../../support/redis.js';

const run = (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => runCli(argv, { LOG_LEVEL: 'silent', REDIS_URL: testRedisUrl(), ...env });

function expectUsageLine(result: { code: number; stderr: string }, command: string, says: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^ipenrich ${command}: (USAGE|CONFIG_INVALID|INPUT_NOT_JSON): `));
  expect(lines[0]).toMatch(says);
}

// healthcheck is left out on purpose: it exits 1 for every failure, as Docker reserves exit code 2.
const COMMANDS = ['extract', 'enqueue', 'dlq', 'worker', 'serve', 'demo', 'status', 'lookup', 'calibrate', 'emulate'];

describe('command-line mistakes', { timeout: 60_000 }, () => {
  it.each(COMMANDS)('%s --no-such-flag: exit 2, one line naming the flag and pointing at --help', async (command) => {
    const result = await run([command, '--no-such-flag']);
    expectUsageLine(result, command, /'--no-such-flag'.*; run ipenrich \S+ --help$/);
  });

  it('a worker with a tenant that cannot sign in to Entra ID does not start (worker, serve --worker)', async () => {
    const ids = { MDE_TENANT_ID: '00000000-0000-0000-0000-000000000001', MDE_CLIENT_ID: '00000000-0000-0000-0000-000000000002', INGRESS_INSECURE_NO_AUTH: 'true' };
    for (const argv of [['worker'], ['serve', '--worker', '--port', '0']]) {
      const result = await run(argv, ids);
      expectUsageLine(result, argv[0] ?? '', /Defender credentials incomplete: set MDE_CLIENT_SECRET or MDE_CERTIFICATE_PATH or MDE_MANAGED_IDENTITY$/);
    }
  });

  it('a stray argument or a missing value is a usage error too', async () => {
    expectUsageLine(await run(['worker', 'extra']), 'worker', /Unexpected argument 'extra'/);
    expectUsageLine(await run(['status', 'extra']), 'status', /Unexpected argument 'extra'/);
    expectUsageLine(await run(['lookup', '8.8.8.8', '--tenant']), 'lookup', /--tenant/);
    expectUsageLine(await run(['dlq', 'frob']), 'dlq', /expected list, retry or purge, got "frob"; run ipenrich dlq --help$/);
    expectUsageLine(await run(['webhook-enable']), 'webhook-enable', /give one URL/);
    expectUsageLine(await run(['serve', '--port', 'abc']), 'serve', /--port must be an integer from 0 to 65535/);
    expectUsageLine(await run(['serve', '--tenant', 'contoso']), 'serve', /--tenant goes with --new-key/);
  });

  describe('demo --alerts', () => {
    // As the relaunched demo runs (the parent only adds the emulators' certificate): loading comes first.
    const child = { IPENRICH_DEMO_CHILD: '1' };

    it('names a directory that does not exist', async () => {
      const missing = join(tmpdir(), 'ipenrich-no-such-dir');
      expectUsageLine(await run(['demo', '--alerts', missing], child), 'demo', new RegExp(`${missing} \\(ENOENT\\)`));
    });

    it('names the file that is not JSON', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ipe-demo-alerts-'));
      writeFileSync(join(dir, 'a-good.json'), '{"ip": "203.0.113.9"}');
      writeFileSync(join(dir, 'b-broken.json'), '{ip: 203.0.113.9}');
      expectUsageLine(await run(['demo', '--alerts', dir], child), 'demo', new RegExp(`INPUT_NOT_JSON: ${join(dir, 'b-broken.json')} is not JSON`));
    });

    it('says so when the directory holds no alert', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ipe-demo-empty-'));
      expectUsageLine(await run(['demo', '--alerts', dir], child), 'demo', /holds no \.json alert file/);
    });
  });

  describe('serve on a port another process holds', () => {
    let holder: Server;
    let port: number;

    beforeAll(async () => {
      holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const address = holder.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      port = address.port;
    });
    afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

    it('exits 2 with what to change, not an INTERNAL error', async () => {
      const result = await run(['serve', '--host', '127.0.0.1', '--port', String(port)], { INGRESS_INSECURE_NO_AUTH: 'true' });
      expectUsageLine(result, 'serve', new RegExp(`CONFIG_INVALID: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another process \\(EADDRINUSE\\); choose another INGRESS_HOST/INGRESS_PORT`));
    });
  });
});
