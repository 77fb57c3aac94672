import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ipStatsRecordSchema } from '../../src/enrich/ip-stats.js';
import { startEmulators, type Emulators } from '../../src/emulators/emulators.js';
import { runCli, spawnCli, waitFor } from '../support/cli-process.js';

interface Run {
  code: number;
  lines: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

async function lookup(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const { code, stdout, stderr } = await runCli(['lookup', ...args], { LOG_LEVEL: 'silent', ...env });
  const lines = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, lines, stdout, stderr };
}

// Each test starts ipenrich through tsx: on a loaded machine that alone can take many seconds. The
// time-out guards against a hang; it is not a speed bound.
describe('ipenrich lookup', { timeout: 120_000 }, () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators({ defender: { rateLimits: '1000/1s' } });
  });
  afterAll(async () => {
    await emulators.close();
  });
  afterEach(() => {
    emulators.defender.setMode({ variant: 'current' });
    emulators.defender.resetCounters();
    emulators.entra.resetCounters();
  });

  it('prints one normalized record per IP, in order, looked up in canonical form; exit 0', async () => {
    const run = await lookup(['2001:DB8:0:0:0:0:0:1', '203.0.113[.]5', '8.8.8.8'], emulators.env);
    expect(run.code).toBe(0);
    expect(run.lines.map((line) => line.ip)).toEqual(['2001:db8::1', '203.0.113.5', '8.8.8.8']);
    for (const line of run.lines) expect(ipStatsRecordSchema.safeParse(line).success).toBe(true);
    expect(emulators.defender.counters.callsPerIp).toEqual({ '2001:db8::1': 1, '203.0.113.5': 1, '8.8.8.8': 1 });
    expect(emulators.entra.counters.tokenRequests).toBe(1);
  });

  it('an unseen IP in the older API variant (404) is a record with seen false, exit 0', async () => {
    emulators.defender.setMode({ variant: 'legacy' });
    emulators.defender.setIpStats('192.0.2.200', { prevalence: 0, firstSeen: null, lastSeen: null });
    const run = await lookup(['192.0.2.200'], emulators.env);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatchObject({ ip: '192.0.2.200', seen: false, prevalence: 0 });
  });

  it('an invalid IP: exit 2 before any network call', async () => {
    const run = await lookup(['8.8.8.8', '999.1.1.1', 'not-an-ip'], emulators.env);
    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      { ip: '999.1.1.1', error: { code: 'INVALID_IP', message: '"999.1.1.1" is not an IP address' } },
      { ip: 'not-an-ip', error: { code: 'INVALID_IP', message: '"not-an-ip" is not an IP address' } },
    ]);
    expect(emulators.defender.counters.totalCalls).toBe(0);
    expect(emulators.entra.counters.tokenRequests).toBe(0);
  });

  it('incomplete credentials are a configuration error (exit 2) naming what is missing', async () => {
    const { MDE_TENANT_ID: _dropped, ...withoutTenant } = emulators.env;
    const run = await lookup(['8.8.8.8'], withoutTenant);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/CONFIG_INVALID: .*MDE_TENANT_ID/);
    // One line: the note that it looks up without Redis only comes once it can.
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(emulators.entra.counters.tokenRequests).toBe(0);
  });

  it('without Redis, a hunting tenant is refused before any call, and an auto tenant is told it gets IP stats only', async () => {
    const hunting = await lookup(['8.8.8.8'], { ...emulators.env, MDE_SOURCE: 'hunting' });
    expect(hunting.code).toBe(1);
    expect(hunting.stdout).toBe('');
    expect(hunting.stderr).toMatch(/REDIS_UNAVAILABLE: tenant "default" uses MDE_SOURCE=hunting, whose budget is shared in Redis/);
    expect(emulators.entra.counters.tokenRequests).toBe(0);

    const auto = await lookup(['8.8.8.8'], { ...emulators.env, MDE_SOURCE: 'auto' });
    expect(auto.code).toBe(0);
    expect(auto.stderr).toContain('looking up directly, without the shared cache and API budget, IP stats only (MDE_SOURCE=auto needs Redis for hunting)');
    expect(emulators.defender.counters.callsPerIp).toEqual({ '8.8.8.8': 1 });
  });

  it('a REDIS_URL set in IPENRICH_CONFIG that does not answer is an error, not a lookup around the shared budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipenrich-lookup-'));
    const file = join(dir, 'config.json');
    // Port 1: nothing listens there, so the connection is refused at once.
    writeFileSync(file, JSON.stringify({ REDIS_URL: 'redis://127.0.0.1:1' }));
    const run = await lookup(['8.8.8.8'], { ...emulators.env, IPENRICH_CONFIG: file });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/REDIS_UNAVAILABLE/);
    expect(run.stderr).not.toContain('looking up directly');
    expect(emulators.defender.counters.totalCalls).toBe(0);
  });

  it('no IP at all is a usage error (exit 2)', async () => {
    const run = await lookup([], emulators.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('USAGE');
  });

  it('a failure is an error line with its code and exit 1', async () => {
    emulators.defender.respondNext({ status: 503, body: { error: { code: 'InternalServerError', message: '' } } });
    const run = await lookup(['192.0.2.201', '192.0.2.202'], emulators.env);
    expect(run.code).toBe(1);
    expect(run.lines[0]).toMatchObject({ ip: '192.0.2.201', error: { code: 'MDE_SERVER_ERROR' } });
    expect(run.lines[1]).toMatchObject({ ip: '192.0.2.202', seen: expect.any(Boolean) as boolean });
  });

  it('a wrong secret: AUTH_FAILED for every IP after one token request, and the secret is never printed', async () => {
    const wrong = 'this-secret-is-wrong-and-must-not-leak';
    const run = await lookup(['192.0.2.210', '192.0.2.211', '192.0.2.212'], { ...emulators.env, MDE_CLIENT_SECRET: wrong, LOG_LEVEL: 'debug' });
    expect(run.code).toBe(1);
    expect(run.lines.map((line) => (line.error as { code: string }).code)).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_FAILED']);
    expect(String((run.lines[0]?.error as { message: string }).message)).toMatch(/AADSTS7000215.*Hint/);
    expect(emulators.entra.counters.tokenRequests).toBe(1);
    expect(emulators.defender.counters.totalCalls).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
  });

  it('with LOG_LEVEL=trace (msal-node verbose too) a separate process prints neither the secret nor a token', async () => {
    const wrong = 'another-wrong-secret-for-the-logs';
    const failing = spawnCli(['lookup', '192.0.2.220'], { ...emulators.env, MDE_CLIENT_SECRET: wrong, LOG_LEVEL: 'trace' });
    expect(await failing.exited).toBe(1);
    expect(failing.output()).toContain('"component":"msal"');
    expect(failing.output()).not.toContain(wrong);

    const working = spawnCli(['lookup', '192.0.2.221'], { ...emulators.env, LOG_LEVEL: 'trace' });
    expect(await working.exited).toBe(0);
    expect(working.output()).toContain('"component":"msal"');
    expect(working.output()).not.toContain(emulators.entra.clientSecret);
    expect(working.output()).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('--look-back-hours is sent to Defender; out of range is a usage error', async () => {
    const run = await lookup(['198.51.100.9', '--look-back-hours', '24'], emulators.env);
    expect(run.code).toBe(0);
    expect(run.lines[0]?.lookBackHours).toBe(24);
    expect((await lookup(['198.51.100.9', '--look-back-hours', '721'], emulators.env)).code).toBe(2);
  });
});

// Each test starts ipenrich through tsx: on a loaded machine that alone can take many seconds. The
// time-out guards against a hang; it is not a speed bound.
describe('ipenrich emulate', { timeout: 120_000 }, () => {
  it('prints an environment with which a separate `ipenrich lookup` process works, and stops on SIGTERM', async () => {
    const tlsDir = mkdtempSync(join(tmpdir(), 'ipe-emulate-'));
    // A file that does not exist yet, as in the Compose trial (docker-compose.yml removes it first).
    const envFile = join(tlsDir, 'emulators.env');
    const emulate = spawnCli(['emulate', '--rate-limits', '50/1s', '--tls-dir', tlsDir, '--write-env', envFile], {});
    try {
      await waitFor(() => `the export lines; output so far: ${emulate.output()}`, () => emulate.output().includes('export NODE_EXTRA_CA_CERTS='));
      const env: Record<string, string> = {};
      for (const [, name = '', value = ''] of emulate.output().matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)) env[name] = value;
      expect(readFileSync(envFile, 'utf8')).toBe(emulate.stdout());
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
      expect(Object.keys(env).sort()).toEqual(['GRAPH_BASE_URL', 'MDE_API_BASE_URL', 'MDE_AUTHORITY_HOST', 'MDE_CLIENT_ID', 'MDE_CLIENT_SECRET', 'MDE_TENANT_ID', 'NODE_EXTRA_CA_CERTS'].sort());
      // Its own certificate: only NODE_EXTRA_CA_CERTS as printed makes the lookup process trust it.
      expect(env.NODE_EXTRA_CA_CERTS).toBe(join(tlsDir, 'cert.pem'));

      const untrusting = spawnCli(['lookup', '203.0.113.78'], { ...env, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, LOG_LEVEL: 'silent' });
      expect(await untrusting.exited).toBe(1);
      expect(untrusting.output()).toMatch(/AUTH_UNAVAILABLE.*certificate/);

      const lookupProcess = spawnCli(['lookup', '203.0.113.77'], { ...env, LOG_LEVEL: 'silent' });
      expect(await lookupProcess.exited).toBe(0);
      expect(JSON.parse(lookupProcess.stdout().trim())).toMatchObject({ ip: '203.0.113.77', lookBackHours: 720 });
    } finally {
      emulate.child.kill('SIGTERM');
    }
    expect(await emulate.exited).toBe(0);
    expect(emulate.output()).toMatch(/Stopped on SIGTERM: Defender 1 calls \(0 throttled, 0 unauthorized\); Graph 0 hunting queries; Entra ID 1 token requests/);
  });
});
