import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { command as emulateCommand } from '../../../src/commands/emulate.js';
import { command as healthcheckCommand } from '../../../src/commands/healthcheck.js';
import { WORKER_CLOSE_MS } from '../../../src/composition/start-worker.js';
import { loadConfig } from '../../../src/config/load.js';
import { configSchema, SECRET_NAMES } from '../../../src/config/schema.js';
import { durationSeconds, execFormOf, instructionsOf, parseStages } from './support/dockerfile-model.js';

/** No Docker engine runs here: docker-compose.yml is parsed and its rules checked. */

const root = fileURLToPath(new URL('../../../', import.meta.url));

const stringList = z.array(z.string());
const healthcheckSchema = z.looseObject({ test: stringList, interval: z.string().optional(), timeout: z.string().optional(), retries: z.number().optional() });
const serviceSchema = z.looseObject({
  image: z.string(),
  build: z.unknown().optional(),
  command: stringList.optional(),
  entrypoint: stringList.optional(),
  environment: z.record(z.string(), z.string()).optional(),
  env_file: z.array(z.looseObject({ path: z.string(), required: z.boolean() })).optional(),
  secrets: stringList.optional(),
  volumes: stringList.optional(),
  ports: stringList.optional(),
  profiles: stringList.optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  deploy: z.looseObject({ replicas: z.number().optional() }).optional(),
  healthcheck: healthcheckSchema.optional(),
  stop_grace_period: z.string().optional(),
  network_mode: z.string().optional(),
  read_only: z.boolean().optional(),
  cap_drop: stringList.optional(),
  user: z.string().optional(),
  init: z.boolean().optional(),
});
type Service = z.infer<typeof serviceSchema>;
const composeSchema = z.looseObject({
  services: z.record(z.string(), serviceSchema),
  secrets: z.record(z.string(), z.strictObject({ file: z.string() })),
  volumes: z.record(z.string(), z.unknown()),
});

// Compose resolves YAML merge keys (<<), so the parse does too.
const compose = composeSchema.parse(parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }));
const { services } = compose;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

const stages = parseStages(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const [entrypointInstruction] = instructionsOf(stages.at(-1) ?? stages[0]!, 'ENTRYPOINT');
/** What the image's ENTRYPOINT runs: compose health checks must run the same script. */
const cli = (entrypointInstruction && execFormOf(entrypointInstruction)) ?? [];
const ipenrichImage = service('ingress').image;
const ipenrichServices = Object.entries(services).filter(([, s]) => s.image === ipenrichImage);
const DEFAULT_SHUTDOWN_MS = configSchema.shape.WORKER_SHUTDOWN_TIMEOUT_MS.parse(undefined);

describe('docker-compose.yml', () => {
  it('runs Redis with AOF persistence on a volume, noeviction, and a health check', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^(redis|valkey\/valkey):\d/);
    const command = (redis.command ?? []).join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    // Without a maxmemory the policy never applies: Redis grows until the host or a limit kills it.
    expect(command, 'a --maxmemory limit').toMatch(/--maxmemory [1-9]\d*(b|kb?|mb?|gb?)?(\s|$)/i);
    const dataVolume = (redis.volumes ?? []).find((volume) => volume.endsWith(':/data'));
    expect(dataVolume).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(dataVolume?.split(':')[0]);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis.ports, 'Redis is not published on the host').toBeUndefined();
  });

  it('runs the ingress (serve) behind its /healthz check, once Redis is healthy', () => {
    const ingress = service('ingress');
    expect(ingress.command).toEqual(['serve']);
    expect(ingress.healthcheck?.test).toEqual(['CMD', ...cli, 'healthcheck', '--http']);
    expect(ingress.depends_on?.redis?.condition).toBe('service_healthy');
    expect(ingress.ports?.some((port) => port.endsWith(':8080'))).toBe(true);
    expect(ingress.profiles).toBeUndefined();
  });

  it('runs two workers with a Redis health check and a stop grace period longer than their drain', () => {
    const worker = service('worker');
    expect(worker.command).toEqual(['worker']);
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.healthcheck?.test).toEqual(['CMD', ...cli, 'healthcheck', '--redis']);
    expect(worker.depends_on?.redis?.condition).toBe('service_healthy');
    expect(worker.profiles).toBeUndefined();
    const shutdownMs = Number(worker.environment?.WORKER_SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_MS);
    expect(durationSeconds(worker.stop_grace_period ?? '10s') * 1000).toBeGreaterThan(shutdownMs + WORKER_CLOSE_MS);
  });

  it('hardens every ipenrich container and gives each a health check the image can run', () => {
    expect(ipenrichServices.length).toBeGreaterThanOrEqual(3);
    for (const [name, s] of ipenrichServices) {
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toContain('ALL');
      expect(s.init, name).toBe(true);
      expect(s.user, `${name} keeps the image's non-root user`).toBeUndefined();
      expect(s.healthcheck, name).toBeDefined();
      expect(durationSeconds(s.healthcheck?.timeout ?? '30s'), name).toBeGreaterThanOrEqual(3);
      const test = s.healthcheck?.test ?? [];
      if (test.includes('healthcheck')) {
        expect(test.slice(0, 1 + cli.length), name).toEqual(['CMD', ...cli]);
        const flags = test.slice(test.indexOf('healthcheck') + 1).filter((arg) => arg.startsWith('--'));
        for (const flag of flags) expect(healthcheckCommand.usage, `${name}: healthcheck ${flag}`).toContain(flag);
      }
    }
  });

  it('keeps every secret out of the file: only NAME_FILE pointing at a mounted compose secret or trial file', () => {
    const secretish = /whsec_|-----BEGIN|sha256:[0-9a-f]{16}|^(?!\/)[A-Za-z0-9+/_-]{32,}={0,2}$/;
    for (const [name, s] of ipenrichServices) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        expect(SECRET_NAMES, `${name}: ${key} must be given as ${key}_FILE`).not.toContain(key);
        expect(value, `${name}: ${key} looks like a secret`).not.toMatch(secretish);
        if (!key.endsWith('_FILE')) continue;
        const secret = /^\/run\/secrets\/(.+)$/.exec(value)?.[1];
        if (secret !== undefined) {
          expect(s.secrets, `${name}: ${key} reads secret ${secret}, which it must mount`).toContain(secret);
          expect(compose.secrets[secret]?.file, `secret ${secret} comes from a file`).toMatch(/^\.\/secrets\//);
        } else {
          expect(value, `${name}: ${key} reads a file of the trial volume`).toMatch(/^\/home\/node\/trial\//);
          expect(s.profiles).toEqual(['emulators']);
        }
      }
      for (const file of s.env_file ?? []) expect(file.path).toBe('./ipenrich.env');
    }
    // The files those secrets and settings live in are never committed.
    const ignored = (path: string): boolean => {
      try {
        execFileSync('git', ['check-ignore', '-q', path], { cwd: root });
        return true;
      } catch {
        return false;
      }
    };
    for (const path of ['ipenrich.env', ...Object.values(compose.secrets).map((secret) => secret.file)]) expect(ignored(path), `${path} is git-ignored`).toBe(true);
  });

  it('gives the ingress and the workers every secret a sink or the credential check may need, as NAME_FILE from a compose secret', () => {
    // `serve` checks every enabled sink at start as `worker` does (as in the Kubernetes manifests): a
    // secret one of them lacks has no place to go, or makes one exit 2. INGRESS_* only `serve` reads:
    // its API keys and the signing secrets of playbooks, which would otherwise sit in the plain env file.
    const shared = SECRET_NAMES.filter((name) => !name.startsWith('INGRESS_'));
    for (const name of ['ingress', 'worker']) {
      const s = service(name);
      for (const secret of name === 'ingress' ? SECRET_NAMES : shared) {
        expect(Object.keys(s.environment ?? {}), name).toContain(`${secret}_FILE`);
        const file = s.environment?.[`${secret}_FILE`] ?? '';
        expect(file, `${name}: ${secret}_FILE`).toMatch(/^\/run\/secrets\/[a-z_]+$/);
        const mounted = file.slice('/run/secrets/'.length);
        expect(s.secrets, `${name}: ${secret}_FILE's secret is mounted`).toContain(mounted);
        expect(compose.secrets[mounted]?.file, `secret ${mounted} is declared`).toBe(`./secrets/${mounted}`);
      }
    }
    expect(service('ingress').environment?.INGRESS_API_KEYS_FILE).toBe('/run/secrets/ingress_api_keys');
  });

  it('sets only valid configuration in each service environment', () => {
    for (const [name, s] of ipenrichServices) {
      const environment = Object.fromEntries(Object.entries(s.environment ?? {}).filter(([key]) => !key.endsWith('_FILE')));
      expect(() => loadConfig(environment), name).not.toThrow();
    }
  });

  describe('the credential-free trial (profile emulators)', () => {
    const emulators = service('emulators');
    const trial = Object.entries(services).filter(([name]) => name.startsWith('trial-'));
    const script = (emulators.command ?? []).join(' ');
    const envFile = /--write-env (\S+)/.exec(script)?.[1];

    it('starts the emulators only in that profile, with flags `ipenrich emulate` has, and a readiness check on its env file', () => {
      expect(emulators.profiles).toEqual(['emulators']);
      expect(script).toMatch(/exec node dist\/src\/bin\.js emulate /);
      const flags = script.slice(script.indexOf(' emulate ')).match(/--[a-z-]+/g) ?? [];
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags) expect(emulateCommand.usage, `emulate ${flag}`).toContain(flag);
      expect(envFile).toMatch(/^\/home\/node\/trial\//);
      expect(emulators.healthcheck?.test).toEqual(['CMD', 'test', '-s', envFile]);
    });

    it('points a trial ingress and two trial workers at the emulators, never the production services', () => {
      expect(trial.map(([name]) => name).sort()).toEqual(['trial-ingress', 'trial-worker']);
      for (const [name, s] of trial) {
        expect(s.profiles, name).toEqual(['emulators']);
        // The emulators listen on loopback with a certificate for 127.0.0.1: share their network.
        expect(s.network_mode, name).toBe('service:emulators');
        expect(s.depends_on?.emulators?.condition, name).toBe('service_healthy');
        expect(s.entrypoint?.join(' '), `${name} reads the emulators' environment`).toContain(`. ${envFile} && exec ${cli.join(' ')}`);
        expect(s.volumes, name).toContain('trial:/home/node:ro');
        // A separate key prefix: a trial never touches production queues or cache in a shared Redis.
        expect(s.environment?.IPENRICH_PREFIX, name).not.toBe(service('worker').environment?.IPENRICH_PREFIX ?? 'ipenrich');
      }
      expect(service('trial-ingress').command).toEqual(['serve']);
      expect(service('trial-worker').command).toEqual(['worker']);
      expect(service('trial-worker').deploy?.replicas).toBeGreaterThanOrEqual(2);
      expect(emulators.volumes).toContain('trial:/home/node');
      expect(emulators.ports?.some((port) => port.endsWith(':8080')), 'the trial ingress port is published by the namespace owner').toBe(true);
    });
  });
});
