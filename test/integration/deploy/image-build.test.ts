import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, chmodSync, closeSync, copyFileSync, createReadStream, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/emulators/webhook-receiver.js';
import { freePort } from '../../../src/redis/local-server.js';
import { alertResultSchema } from '../../../src/result/schema.js';
import { waitFor } from '../../support/cli-process.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/**
 * The image, built from the Dockerfile with buildah and run, as CI does it (.ci/run installs buildah,
 * podman and debootstrap). No image registry is reachable, so the base is assembled locally
 * (scripts/assemble-base-image.sh, cached) and passed as NODE_IMAGE; the machine's npm settings and
 * CA reach `npm ci` as build secrets (scripts/build-image.sh), and this file proves none of them
 * lands in a layer. Every command runs as UID 1000 with `buildah run --isolation chroot`, which
 * shares the host network: Redis, the emulators and the webhook receiver run on the host.
 *
 * Read-only root filesystem: chroot isolation cannot mount the root read-only (buildah 1.28 writes
 * its mount points, /run/.containerenv and /etc/hosts, into the root at every run and fails with
 * EROFS). So /tmp is a tmpfs, as in Kubernetes and Compose, and the last test reads each container's
 * writable layer: nothing but buildah's own mount points may be there.
 */

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const BASE = process.env.IPENRICH_BASE_IMAGE ?? 'localhost/ipenrich-base:node22';
const TAG = `localhost/ipenrich-test:${randomUUID().slice(0, 8)}`;
const CA_MOUNT = '/run/ipenrich-ca';

const isRoot = process.getuid?.() === 0;
const hasBuildah = spawnSync('buildah', ['--version']).status === 0;
// CI must build the image; elsewhere (no buildah, not root) the file is skipped.
const mustRun = process.env.CI === 'true';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  /** Host directory mounted read-only at CA_MOUNT. */
  readonly caDir?: string;
}

interface ImageConfig {
  readonly entrypoint: string[];
  readonly healthcheck: string[];
}

async function sh(file: string, args: readonly string[], timeout: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync(file, args, { cwd: root, timeout, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    // A failing build step (tsc, npm) reports on stdout: keep its end in the message.
    const { stdout = '' } = error as { stdout?: string };
    throw new Error(`${(error as Error).message}\n${stdout.slice(-4000)}`, { cause: error });
  }
}

function runArgs(container: string, command: readonly string[], options: RunOptions): string[] {
  const env = Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
  const ca = options.caDir === undefined ? [] : ['--volume', `${options.caDir}:${CA_MOUNT}:ro`];
  return ['run', '--isolation', 'chroot', '--user', '1000:1000', '--mount', 'type=tmpfs,destination=/tmp', ...ca, ...env, container, '--', ...command];
}

/**
 * The host PID of the first `node` process under `pid`. chroot isolation starts no PID namespace,
 * so the container's processes are the host's; buildah itself answers SIGTERM with SIGKILL to its
 * child, so a graceful stop must signal node directly, as a container runtime signals PID 1.
 */
function nodeUnder(pid: number): number | undefined {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state, ppid, …
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while the table was read.
    }
  }
  const queue = [...(children.get(pid) ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const comm = existsSync(`/proc/${next}/comm`) ? readFileSync(`/proc/${next}/comm`, 'utf8').trim() : '';
    if (comm === 'node') return next;
    queue.push(...(children.get(next) ?? []));
  }
  return undefined;
}

/** A long-running `buildah run`; output collected; `stop` sends SIGTERM to its node process. */
function start(container: string, command: readonly string[], options: RunOptions) {
  const child = spawn('buildah', runArgs(container, command, options), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = (): void => {
    const node = child.pid === undefined ? undefined : nodeUnder(child.pid);
    if (node === undefined) child.kill('SIGKILL');
    else process.kill(node, 'SIGTERM');
  };
  return { child, output: () => output, exited, stop };
}

function run(container: string, command: readonly string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('buildah', runArgs(container, command, options), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Certificates of a PEM bundle that Node does not ship itself: the ones only the secret carries. */
function extraCertificates(pem: string): string[] {
  const bundled = new Set(rootCertificates.map((cert) => cert.replace(/\s+/g, '')));
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).filter((cert) => !bundled.has(cert.replace(/\s+/g, '')));
}

/** A line from the middle of a PEM body: unique to the certificate, and how a layer would hold it. */
function needleOf(cert: string): string {
  const lines = cert.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
  return lines[Math.floor(lines.length / 2)] ?? cert;
}

/**
 * Which of `needles` occur in a blob, read as a stream and gunzipped when it is gzip (buildah pushes
 * compressed layers whatever --disable-compression says). Chunks overlap by the longest needle.
 */
async function needlesIn(path: string, needles: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const overlap = Math.max(...needles.map((needle) => Buffer.byteLength(needle))) - 1;
  const head = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  readSync(fd, head, 0, 2, 0);
  closeSync(fd);
  const source = createReadStream(path);
  const stream = head[0] === 0x1f && head[1] === 0x8b ? source.pipe(createGunzip()) : source;
  let tail = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const window = Buffer.concat([tail, chunk]);
    for (const needle of needles) if (window.includes(needle)) found.add(needle);
    tail = window.subarray(Math.max(0, window.length - overlap));
  }
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

describe.skipIf(!mustRun && !(isRoot && hasBuildah))('the image, built with buildah from the Dockerfile and run', () => {
  let secrets: string;
  let canary: string;
  let extraCerts: string[];
  let image: ImageConfig;
  const containers = new Map<string, string>();

  function container(role: string): string {
    const name = containers.get(role);
    if (name === undefined) throw new Error(`no container for ${role}`);
    return name;
  }

  beforeAll(async () => {
    expect(isRoot && hasBuildah, 'buildah (apt-get install buildah podman debootstrap) and root are needed to build the image').toBe(true);
    await sh(join(root, 'scripts/assemble-base-image.sh'), [], 900_000);
    // The secrets the build gets: the machine's npm settings and CAs, plus a canary credential for a
    // host npm never contacts, so the search below has something unmistakable to look for.
    secrets = mkdtempSync(join(tmpdir(), 'ipenrich-image-secrets-'));
    await sh(join(root, 'scripts/build-image.sh'), ['--secrets-only', secrets], 60_000);
    canary = randomBytes(24).toString('hex');
    appendFileSync(join(secrets, 'npmrc'), `\n//canary.invalid/:_authToken=${canary}\n`);
    extraCerts = extraCertificates(readFileSync(join(secrets, 'ca.pem'), 'utf8'));
    await sh(join(root, 'scripts/build-image.sh'), ['--tag', TAG, '--base', BASE, '--npmrc', join(secrets, 'npmrc'), '--ca', join(secrets, 'ca.pem')], 900_000);

    const [inspected] = JSON.parse(await sh('buildah', ['inspect', '--type', 'image', TAG], 60_000).then((text) => `[${text}]`)) as {
      OCIv1: { config: { Entrypoint?: string[] } };
      Docker: { config: { Healthcheck?: { Test?: string[] } } };
    }[];
    const healthTest = inspected?.Docker.config.Healthcheck?.Test ?? [];
    image = { entrypoint: inspected?.OCIv1.config.Entrypoint ?? [], healthcheck: healthTest[0] === 'CMD' ? healthTest.slice(1) : [] };
    for (const role of ['tools', 'serve', 'worker']) {
      containers.set(role, (await sh('buildah', ['from', '--pull-never', '--name', `${TAG.split(':')[1] ?? 'x'}-${role}`, TAG], 60_000)).trim());
    }
  }, 1_800_000);

  afterAll(async () => {
    for (const name of containers.values()) await sh('buildah', ['rm', name], 60_000).catch(() => '');
    await sh('buildah', ['rmi', TAG], 60_000).catch(() => '');
    if (secrets) rmSync(secrets, { recursive: true, force: true });
  }, 120_000);

  it('keeps every build secret out of the layers, the history and the configuration', async () => {
    const exported = mkdtempSync(join(tmpdir(), 'ipenrich-image-export-'));
    try {
      await sh('buildah', ['push', '--quiet', TAG, `oci:${exported}:scan`], 300_000);
      const blobs = filesUnder(join(exported, 'blobs'));
      expect(blobs.length).toBeGreaterThan(2);
      const npmrcLines = readFileSync(join(secrets, 'npmrc'), 'utf8')
        .split('\n')
        .filter((line) => /_auth|_password|token/i.test(line));
      const needles = [canary, ...npmrcLines, ...extraCerts.map(needleOf)];
      expect(needles).toContain(canary);
      expect(extraCerts.length, 'the CA secret holds certificates Node does not ship').toBeGreaterThan(0);
      // A layer is a tar file: once gunzipped, a file's content sits in it byte for byte. The control,
      // a line of the shipped package.json, proves the search sees file contents.
      const control = readFileSync(join(root, 'package.json'), 'utf8').split('\n').find((line) => line.includes('"description"')) ?? '';
      let controlFound = false;
      for (const blob of blobs) {
        const found = await needlesIn(join(exported, 'blobs', blob), [control, ...needles]);
        controlFound ||= found.has(control);
        found.delete(control);
        expect([...found].map((needle) => `${needle.slice(0, 24)}…`), `${blob} holds a secret`).toEqual([]);
      }
      expect(controlFound, control).toBe(true);
      const config = await sh('buildah', ['inspect', '--type', 'image', TAG], 60_000);
      for (const needle of needles) expect(config.includes(needle)).toBe(false);
      expect(config).not.toMatch(/NODE_EXTRA_CA_CERTS=|NPM_CONFIG_/i);
    } finally {
      rmSync(exported, { recursive: true, force: true });
    }
  }, 600_000);

  it('holds only the runtime files: no sources, dev dependencies, TypeScript, declarations or source maps', async () => {
    const check = [
      'cd /app',
      'test -f dist/src/bin.js && test -f dist/src/redis/scripts/acquire-n.lua && test -d node_modules/bullmq && test -d examples/alerts',
      'for absent in src tsconfig.json test node_modules/vitest node_modules/eslint node_modules/typescript; do test ! -e "$absent" || echo "$absent"; done',
      "find node_modules -name '*.map' -o -name '*.d.ts' | head -n 3",
    ].join(' && ');
    expect(await run(container('tools'), ['sh', '-c', check])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('runs as UID 1000 and answers --version', async () => {
    const id = await run(container('tools'), ['id', '-u']);
    expect(id).toMatchObject({ code: 0, stdout: '1000\n' });
    const version = await run(container('tools'), [...image.entrypoint, '--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('passes its HEALTHCHECK against a reachable Redis and fails it against none', async () => {
    expect(image.healthcheck).toEqual(['node', 'dist/src/bin.js', 'healthcheck']);
    const healthy = await run(container('tools'), image.healthcheck, { env: { REDIS_URL: testRedisUrl() } });
    expect(healthy).toMatchObject({ code: 0, stderr: '' });
    const unhealthy = await run(container('tools'), image.healthcheck, { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(unhealthy.code).toBe(1);
    expect(unhealthy.stderr).toMatch(/^ipenrich healthcheck: unhealthy: Redis at 127\.0\.0\.1:1 /);
  });

  it('extracts the IPs of an alert read from stdin', async () => {
    const alert = { id: 'image-smoke-1', entities: [{ type: 'ip', address: '203.0.113.7' }], description: 'from 10.20.30.40 to 198.51.100.23' };
    const extracted = await run(container('tools'), [...image.entrypoint, 'extract', '-'], { stdin: JSON.stringify(alert) });
    expect(extracted.stderr).toBe('');
    expect(extracted.code).toBe(0);
    const output = JSON.parse(extracted.stdout) as { ips: { ip: string }[] };
    expect(output.ips.map((entry) => entry.ip).sort()).toEqual(['10.20.30.40', '198.51.100.23', '203.0.113.7']);
  });

  it('runs the demo over the bundled sample alerts against the Redis in REDIS_URL', async () => {
    const demo = await run(container('tools'), [...image.entrypoint, 'demo'], { env: { REDIS_URL: testRedisUrl(), LOG_LEVEL: 'warn' } });
    expect(demo.code, demo.stderr).toBe(0);
    // Every distinct sample alert enriched (the demo reads them from the image's /app/examples/alerts).
    const [, done, distinct] = /(\d+)\/(\d+) alerts enriched/.exec(demo.stdout) ?? [];
    expect(Number(done)).toBeGreaterThan(10);
    expect(done).toBe(distinct);
  }, 240_000);

  describe('serve and worker, end to end against the emulators', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    let emulators: Emulators;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      emulators = await startEmulators();
      receiver = await startWebhookReceiver({ secret });
    });
    afterAll(async () => {
      await receiver.close();
      await emulators.close();
    });

    it('enriches an alert POSTed to the ingress and delivers the signed result', async () => {
      // Only the certificate, readable by UID 1000 (the emulators' directory is private to root and holds the key).
      const caDir = mkdtempSync(join(tmpdir(), 'ipenrich-image-ca-'));
      chmodSync(caDir, 0o755);
      copyFileSync(emulators.env.NODE_EXTRA_CA_CERTS ?? '', join(caDir, 'cert.pem'));
      chmodSync(join(caDir, 'cert.pem'), 0o644);
      const newKey = await run(container('tools'), [...image.entrypoint, 'serve', '--new-key']);
      expect(newKey.code).toBe(0);
      const key = /API key[^:]*: (\S+)/.exec(newKey.stdout)?.[1] ?? '';
      const entry = /INGRESS_API_KEYS entry[^:]*: (\S+)/.exec(newKey.stdout)?.[1] ?? '';
      expect(entry).toMatch(/^sha256:/);

      const port = await freePort();
      const env = {
        ...emulators.env,
        NODE_EXTRA_CA_CERTS: `${CA_MOUNT}/cert.pem`,
        REDIS_URL: testRedisUrl(),
        IPENRICH_PREFIX: uniquePrefix('image'),
        SINKS: 'webhook',
        WEBHOOK_URL: `${receiver.url}/hook`,
        WEBHOOK_SECRET: secret,
        LOG_LEVEL: 'warn',
      };
      const serve = start(container('serve'), [...image.entrypoint, 'serve'], { caDir, env: { ...env, INGRESS_HOST: '127.0.0.1', INGRESS_PORT: String(port), INGRESS_API_KEYS: entry } });
      const worker = start(container('worker'), [...image.entrypoint, 'worker'], { caDir, env });
      try {
        await waitFor(
          () => `the ingress on ${port} (${serve.output().slice(-2000)})`,
          async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true,
          120_000,
          250,
        );
        const answer = await fetch(`http://127.0.0.1:${port}/v1/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ id: 'image-e2e-1', title: 'Beacon', description: 'Outbound connection to 198.51.100.23' }),
        });
        expect(answer.status, await answer.clone().text()).toBe(202);
        await waitFor(() => `the webhook delivery (worker: ${worker.output().slice(-2000)})`, () => receiver.deliveries.size >= 1, 120_000, 250);
        const [delivery] = [...receiver.deliveries.values()];
        const result = alertResultSchema.parse((delivery?.payload as { data: unknown }).data);
        expect(result.alertId).toBe('image-e2e-1');
        expect(result.ips.map((ip) => [ip.ip, ip.status])).toEqual([['198.51.100.23', 'enriched']]);
        expect(emulators.defender.counters.totalCalls).toBe(1);
      } finally {
        serve.stop();
        worker.stop();
        rmSync(caDir, { recursive: true, force: true });
      }
      // Both stop on SIGTERM and exit 0: the worker drains, the ingress closes.
      expect(await serve.exited, serve.output()).toBe(0);
      expect(await worker.exited, worker.output()).toBe(0);
    }, 300_000);
  });

  it('wrote nothing to the root filesystem but buildah’s own mount points (runs like a read-only root with a /tmp tmpfs)', async () => {
    // buildah's mount points for each run: /etc/hosts, /etc/resolv.conf, /run/.containerenv,
    // the CA mount, and the directories holding them.
    const buildahOwn = /^(?:etc|run|etc\/(?:hosts|resolv\.conf|hostname)|run\/\.containerenv|run\/ipenrich-ca|tmp)$/;
    for (const [role, name] of containers) {
      const merged = (await sh('buildah', ['mount', name], 60_000)).trim();
      try {
        const upper = join(dirname(merged), 'diff');
        expect(statSync(upper).isDirectory(), `${role}: ${upper}`).toBe(true);
        const written = readdirSync(upper, { recursive: true, encoding: 'utf8' }).filter((path) => !buildahOwn.test(path));
        expect(written, `${role} wrote into its root filesystem`).toEqual([]);
      } finally {
        await sh('buildah', ['umount', name], 60_000);
      }
    }
  });
});
