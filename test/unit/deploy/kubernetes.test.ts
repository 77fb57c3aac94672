import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { command as healthcheckCommand } from '../../../src/commands/healthcheck.js';
import { WORKER_CLOSE_MS } from '../../../src/composition/start-worker.js';
import { loadConfig } from '../../../src/config/load.js';
import { CONFIG_NAMES, configSchema, SECRET_NAMES } from '../../../src/config/schema.js';
import { execFormOf, instructionsOf, parseStages } from './support/dockerfile-model.js';

/** The Kubernetes manifests in deploy/kubernetes, parsed and checked (no cluster runs here). */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(root, 'deploy', 'kubernetes');

const labels = z.record(z.string(), z.string());
const secretKeyRef = z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() });
const envVar = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.strictObject({ secretKeyRef: secretKeyRef.optional(), configMapKeyRef: z.unknown().optional(), fieldRef: z.unknown().optional() }).optional(),
});
const probe = z.looseObject({
  httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }).optional(),
  exec: z.object({ command: z.array(z.string()) }).optional(),
  periodSeconds: z.number().optional(),
  timeoutSeconds: z.number().optional(),
  failureThreshold: z.number().optional(),
});
const quantity = z.object({ cpu: z.string(), memory: z.string() });
const container = z.looseObject({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })).optional(),
  env: z.array(envVar).default([]),
  envFrom: z.array(z.object({ configMapRef: z.object({ name: z.string() }) })).default([]),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  resources: z.object({ requests: quantity, limits: quantity }),
  securityContext: z.object({
    allowPrivilegeEscalation: z.literal(false),
    readOnlyRootFilesystem: z.literal(true),
    capabilities: z.object({ drop: z.array(z.string()) }),
  }),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).default([]),
});
const deployment = z.looseObject({
  kind: z.literal('Deployment'),
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    replicas: z.number(),
    selector: z.object({ matchLabels: labels }),
    template: z.object({
      metadata: z.object({ labels }),
      spec: z.looseObject({
        serviceAccountName: z.string(),
        terminationGracePeriodSeconds: z.number(),
        securityContext: z.looseObject({
          runAsNonRoot: z.literal(true),
          runAsUser: z.number(),
          seccompProfile: z.object({ type: z.literal('RuntimeDefault') }),
        }),
        containers: z.array(container).length(1),
        volumes: z.array(z.looseObject({ name: z.string() })).default([]),
      }),
    }),
  }),
});
type Deployment = z.infer<typeof deployment>;
type Container = z.infer<typeof container>;
const document = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string() }) });

const kustomization = z
  .looseObject({ resources: z.array(z.string()), images: z.array(z.object({ name: z.string(), newName: z.string(), newTag: z.string() })) })
  .parse(parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]?.toJS());

const documents = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((error) => error.message).join('; ')}`);
    return doc.toJS() as unknown;
  }),
);
const parsed = documents.map((doc) => document.parse(doc));
const find = (kind: string, name: string): unknown => documents[parsed.findIndex((doc) => doc.kind === kind && doc.metadata.name === name)];

const worker = deployment.parse(find('Deployment', 'ipenrich-worker'));
const ingress = deployment.parse(find('Deployment', 'ipenrich-ingress'));
const configMap = z.object({ data: z.record(z.string(), z.string()) }).parse(find('ConfigMap', 'ipenrich-config')).data;
const service = z
  .object({ spec: z.object({ selector: labels, ports: z.array(z.object({ port: z.number(), targetPort: z.union([z.string(), z.number()]) })) }) })
  .parse(find('Service', 'ipenrich-ingress'));

const containerOf = (d: Deployment): Container => d.spec.template.spec.containers[0] as Container;
const stages = parseStages(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const [entrypoint] = instructionsOf(stages.at(-1) ?? stages[0]!, 'ENTRYPOINT');
/** In Kubernetes `args` follow the image's ENTRYPOINT, and exec probes run in the image's WORKDIR. */
const cli = (entrypoint && execFormOf(entrypoint)) ?? [];
const configValue = (name: 'WORKER_SHUTDOWN_TIMEOUT_MS' | 'INGRESS_SYNC_TIMEOUT_MS' | 'INGRESS_PORT'): number =>
  Number(configMap[name] ?? configSchema.shape[name].parse(undefined));

describe('deploy/kubernetes', () => {
  it('lists every manifest of the folder in the kustomization, each a valid object', () => {
    const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    const kinds = parsed.map((doc) => `${doc.kind}/${doc.metadata.name}`);
    for (const expected of ['Deployment/ipenrich-worker', 'Deployment/ipenrich-ingress', 'Service/ipenrich-ingress', 'ConfigMap/ipenrich-config']) {
      expect(kinds).toContain(expected);
    }
    // Every container runs the image the kustomization sets.
    for (const d of [worker, ingress]) expect(kustomization.images.map((image) => image.name)).toContain(containerOf(d).image);
  });

  it('runs `worker` and `serve` from the one image, with selectors that match their pods', () => {
    expect(containerOf(worker).args).toEqual(['worker']);
    expect(containerOf(ingress).args).toEqual(['serve']);
    for (const d of [worker, ingress]) {
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    }
    expect(worker.spec.selector.matchLabels).not.toEqual(ingress.spec.selector.matchLabels);
  });

  it('probes the ingress on /healthz (liveness) and /readyz (readiness), on the port it listens on', () => {
    const c = containerOf(ingress);
    const port = c.ports?.find((p) => p.containerPort === configValue('INGRESS_PORT'));
    expect(port, 'the container port is INGRESS_PORT').toBeDefined();
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: port?.name });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: port?.name });
    // The Service reaches those pods on that port.
    expect(ingress.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports.map((p) => p.targetPort)).toContain(port?.name);
  });

  it('probes the worker with the exec health check the image carries', () => {
    const c = containerOf(worker);
    for (const p of [c.livenessProbe, c.readinessProbe]) {
      expect(p?.exec?.command).toEqual([...cli, 'healthcheck', '--redis']);
      expect(p?.timeoutSeconds).toBeGreaterThanOrEqual(3);
    }
    expect(healthcheckCommand.usage).toContain('--redis');
    // Liveness must not restart workers during a short Redis outage they can ride out.
    const liveness = c.livenessProbe;
    expect((liveness?.periodSeconds ?? 10) * (liveness?.failureThreshold ?? 3)).toBeGreaterThanOrEqual(120);
  });

  it('gives pods time to drain: grace period above WORKER_SHUTDOWN_TIMEOUT_MS (plus closing) and INGRESS_SYNC_TIMEOUT_MS', () => {
    // A worker exits at most WORKER_CLOSE_MS after its timeout; a SIGKILL before that is a crash.
    expect(worker.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(configValue('WORKER_SHUTDOWN_TIMEOUT_MS') + WORKER_CLOSE_MS);
    expect(ingress.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(configValue('INGRESS_SYNC_TIMEOUT_MS'));
  });

  it('sets resource requests and limits and a restricted security context', () => {
    for (const d of [worker, ingress]) {
      const c = containerOf(d);
      expect(c.resources.requests.memory).toMatch(/^\d+(Mi|Gi)$/);
      expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
      expect(d.spec.template.spec.securityContext.runAsUser).toBeGreaterThan(0);
      // A read-only root filesystem still needs a writable /tmp.
      const tmp = c.volumeMounts.find((mount) => mount.mountPath === '/tmp');
      expect(d.spec.template.spec.volumes.map((volume) => volume.name)).toContain(tmp?.name);
    }
  });

  it('carries every default the issue asks of both deployments, spelt out in the manifests', () => {
    for (const d of [worker, ingress]) {
      const pod = d.spec.template.spec;
      const c = containerOf(d);
      const name = d.metadata.name;
      expect(pod.securityContext.runAsNonRoot, `${name}: non-root`).toBe(true);
      expect(c.securityContext.readOnlyRootFilesystem, `${name}: read-only root filesystem`).toBe(true);
      expect(c.securityContext.allowPrivilegeEscalation, `${name}: no privilege escalation`).toBe(false);
      expect(c.securityContext.capabilities.drop, `${name}: capabilities dropped`).toEqual(['ALL']);
      expect(c.livenessProbe, `${name}: liveness probe`).toBeDefined();
      expect(c.readinessProbe, `${name}: readiness probe`).toBeDefined();
      expect(c.resources.requests.cpu, `${name}: CPU request`).toMatch(/^\d+m?$/);
      expect(c.resources.requests.memory, `${name}: memory request`).toMatch(/^\d+(Mi|Gi)$/);
      expect(pod.automountServiceAccountToken, `${name}: no API token mounted`).toBe(false);
    }
    const budgets = parsed.filter((doc) => doc.kind === 'PodDisruptionBudget');
    expect(budgets.length, 'a PodDisruptionBudget per deployment').toBeGreaterThanOrEqual(2);
  });

  it('reads secrets from the Secret, and only non-secret, valid settings from the ConfigMap', () => {
    for (const d of [worker, ingress]) {
      const c = containerOf(d);
      expect(c.envFrom.map((source) => source.configMapRef.name)).toEqual(['ipenrich-config']);
      for (const variable of c.env) {
        expect(variable.value, `${variable.name} has no literal value`).toBeUndefined();
        expect(variable.valueFrom?.secretKeyRef).toMatchObject({ name: 'ipenrich-secrets', key: variable.name });
      }
      const fromSecret = c.env.map((variable) => variable.name);
      expect(fromSecret).toContain('REDIS_URL');
      expect(c.env.find((variable) => variable.name === 'REDIS_URL')?.valueFrom?.secretKeyRef?.optional, 'REDIS_URL is required').toBeUndefined();
    }
    expect(containerOf(ingress).env.map((variable) => variable.name)).toContain('INGRESS_API_KEYS');
    expect(containerOf(worker).env.map((variable) => variable.name)).toEqual(expect.arrayContaining(['MDE_CLIENT_SECRET', 'WEBHOOK_SECRET', 'SPLUNK_HEC_TOKEN']));
    for (const name of Object.keys(configMap)) {
      expect(CONFIG_NAMES, `${name} is a setting`).toContain(name);
      expect([...SECRET_NAMES, 'REDIS_URL'], `${name} belongs in the Secret`).not.toContain(name);
    }
    expect(() => loadConfig({ ...configMap, REDIS_URL: 'redis+cluster://redis:6379' })).not.toThrow();
  });

  it('gives the ingress the secrets the worker gets: `serve` checks every enabled sink at start', () => {
    const secretKeys = (d: Deployment): string[] =>
      containerOf(d)
        .env.flatMap((variable) => (variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef.key] : []))
        .sort();
    // Only `serve` reads the INGRESS_* secrets; everything else the shared configuration check may
    // require (e.g. WEBHOOK_SECRET with SINKS=webhook) both pods need, or one of them exits 2.
    const ingressOnly = (key: string): boolean => key.startsWith('INGRESS_');
    expect(secretKeys(ingress).filter((key) => !ingressOnly(key))).toEqual(secretKeys(worker));
    const shared = [...SECRET_NAMES.filter((name) => !ingressOnly(name)), 'REDIS_URL'];
    for (const d of [worker, ingress]) expect(secretKeys(d), d.metadata.name).toEqual(expect.arrayContaining(shared));
  });

  it('keeps a pod of each kind through voluntary disruptions', () => {
    const budgets = parsed.flatMap((doc, index) => (doc.kind === 'PodDisruptionBudget' ? [documents[index]] : []));
    for (const d of [worker, ingress]) {
      const budget = budgets
        .map((doc) => z.object({ spec: z.object({ minAvailable: z.number(), selector: z.object({ matchLabels: labels }) }) }).parse(doc))
        .find((b) => JSON.stringify(b.spec.selector.matchLabels) === JSON.stringify(d.spec.selector.matchLabels));
      expect(budget, `${d.metadata.name} has a PodDisruptionBudget`).toBeDefined();
      // minAvailable below replicas, or a node drain could never evict a pod.
      expect(budget?.spec.minAvailable).toBeGreaterThanOrEqual(1);
      expect(budget?.spec.minAvailable).toBeLessThan(d.spec.replicas);
    }
  });
});
