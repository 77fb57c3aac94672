import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * Every manifest in deploy/kubernetes against the API schemas of Kubernetes 1.36 (kubernetes-models
 * 5.x embeds that release's OpenAPI spec and validates offline, no cluster needed), in two parts:
 * - the schema (types, required fields, enums, formats such as quantities): the model's validate();
 * - field names: Kubernetes' OpenAPI schemas allow unknown properties, but the API server rejects them
 *   under kubectl's default strict field validation. The package's type declarations, generated from
 *   the same spec, list every field, so TypeScript's excess-property check over the manifests finds
 *   a misspelt or misplaced field at any depth.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(root, 'deploy', 'kubernetes');

interface ModelClass {
  new (data: never): { validate(): void };
}
/** The API versions this deployment uses, as served by current clusters (none deprecated). */
const MODELS: Record<string, { model: ModelClass; module: string; type: string }> = {
  'v1/Namespace': { model: Namespace, module: 'kubernetes-models/v1/Namespace', type: 'INamespace' },
  'v1/ServiceAccount': { model: ServiceAccount, module: 'kubernetes-models/v1/ServiceAccount', type: 'IServiceAccount' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
};

interface Manifest {
  readonly where: string;
  readonly kind: string;
  readonly value: Record<string, unknown>;
}

const manifests: Manifest[] = readdirSync(dir)
  .filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((error) => error.message).join('; ')}`);
      const value = doc.toJS() as Record<string, unknown>;
      return { where: `${file}#${index}`, kind: `${String(value.apiVersion)}/${String(value.kind)}`, value };
    }),
  );

function schemaErrors(manifest: Manifest): string | undefined {
  const entry = MODELS[manifest.kind];
  if (!entry) return `${manifest.where}: no schema for ${manifest.kind}`;
  try {
    new entry.model(manifest.value as never).validate();
    return undefined;
  } catch (error) {
    return `${manifest.where} (${manifest.kind}): ${(error as Error).message}`;
  }
}

/** TypeScript's diagnostics for the manifests typed as their API objects: one in-memory file, one program. */
function fieldErrors(list: readonly Manifest[]): string[] {
  const known = list.filter((manifest) => MODELS[manifest.kind]);
  const types = [...new Set(known.map((manifest) => manifest.kind))];
  const source = [
    ...types.map((kind) => `import type { ${MODELS[kind]?.type} } from '${MODELS[kind]?.module}';`),
    ...known.map((manifest, i) => `// ${manifest.where}\nexport const m${i}: ${MODELS[manifest.kind]?.type} = ${JSON.stringify(manifest.value)};`),
  ].join('\n');
  const fileName = join(root, 'test', 'unit', 'deploy', 'kubernetes-manifests.generated.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const disk = ts.createCompilerHost(options);
  host.getSourceFile = (name, language, ...rest) => (name === fileName ? ts.createSourceFile(name, source, language) : disk.getSourceFile(name, language, ...rest));
  host.fileExists = (name) => name === fileName || disk.fileExists(name);
  host.readFile = (name) => (name === fileName ? source : disk.readFile(name));
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName);
  return ts.getPreEmitDiagnostics(program, file).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const where = source.split('\n')[line - 1] ?? '';
    return `${where.replace(/^\/\/ /, '')}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

describe('deploy/kubernetes against the Kubernetes 1.36 API schemas', () => {
  it('uses a schema set of a current Kubernetes release', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', 'kubernetes-models', 'package.json'), 'utf8')) as { version: string };
    // kubernetes-models 5.x carries the OpenAPI spec of Kubernetes v1.36.0 (its changelog); a major
    // bump means another release: check its Kubernetes version before accepting it here.
    expect(pkg.version).toMatch(/^5\./);
  });

  it('validates every document of every manifest file', () => {
    expect(manifests.map((manifest) => manifest.kind)).toEqual(expect.arrayContaining(['apps/v1/Deployment', 'policy/v1/PodDisruptionBudget', 'v1/Service']));
    expect(manifests.flatMap((manifest) => schemaErrors(manifest) ?? [])).toEqual([]);
  });

  it('uses only fields the API knows, at every depth', () => {
    expect(fieldErrors(manifests)).toEqual([]);
  });

  it('catches a wrong value and a misspelt field', () => {
    const deployment = manifests.find((manifest) => manifest.kind === 'apps/v1/Deployment');
    if (!deployment) throw new Error('a Deployment expected');
    const wrongValue = structuredClone(deployment.value) as { spec: { replicas: unknown } };
    wrongValue.spec.replicas = 'two';
    expect(schemaErrors({ ...deployment, value: wrongValue })).toMatch(/spec\/replicas must be integer/);
    const misspelt = structuredClone(deployment.value) as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    const [container] = misspelt.spec.template.spec.containers;
    if (container) container.readinesProbe = container.readinessProbe;
    expect(fieldErrors([{ ...deployment, value: misspelt }]).join('\n')).toMatch(/'"readinesProbe"' does not exist in type 'IContainer'/);
  });
});
