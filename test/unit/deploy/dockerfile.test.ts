import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import dockerignoreModule from '@balena/dockerignore';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { SECRET_NAMES } from '../../../src/config/schema.js';
import {
  copyStepsOf,
  durationSeconds,
  execFormOf,
  flagOf,
  flagsOf,
  instructionsOf,
  parseStages,
  propertiesOf,
  runCommandsOf,
  type Stage,
} from './support/dockerfile-model.js';

/**
 * No Docker engine runs here, so the image's rules are checked on the Dockerfile itself (and
 * test/integration/deploy/image-build.test.ts builds and runs what its stages describe).
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const stages = parseStages(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1) as Stage;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
// A CommonJS module whose typings declare a default export: under NodeNext it sits on `.default`.
const dockerignore = dockerignoreModule.default().add(readFileSync(join(root, '.dockerignore'), 'utf8').split('\n'));

/**
 * Node release lines in Active or Maintenance LTS (nodejs.org "Previous releases"): 22 until
 * 2027-04-30, 24 until 2028-04-30. Drop a line here when it reaches end of life.
 */
const SUPPORTED_NODE_LTS = [22, 24];

/** Official node image tags that are small: `22-slim`, `22-bookworm-slim`, `24.11-alpine3.22`… */
const SMALL_NODE_TAG = /^(\d+)(?:\.\d+){0,2}-(?:(?:bookworm|trixie)-slim|slim|alpine(?:\d+\.\d+)?)$/;

/** An image digest: the only pin that cannot move (a tag is re-pushed with every Node and Debian update). */
const DIGEST = /@sha256:[0-9a-f]{64}$/;

function nodeMajor(image: string): number | undefined {
  const [name, tag = ''] = image.replace(DIGEST, '').split(':');
  if (name !== 'node' && name !== 'docker.io/library/node') return undefined;
  const major = SMALL_NODE_TAG.exec(tag)?.[1];
  return major === undefined ? undefined : Number(major);
}

function stageByName(name: string | undefined): Stage | undefined {
  return stages.find((stage) => stage.name === name);
}

function contextCopies(stage: Stage) {
  return copyStepsOf(stage).filter((step) => step.from === undefined);
}

/** What the compiling stage copies from the context, and the TypeScript files among it. */
function buildStageSources(): string[] {
  const build = stages.find((stage) => runCommandsOf(stage).some((run) => /npm run build/.test(run)));
  if (!build) throw new Error('no stage runs npm run build');
  return contextCopies(build).flatMap((step) => step.sources.map((source) => source.replace(/\/$/, '')));
}

function buildStageFiles(): string[] {
  const files = buildStageSources()
    .flatMap(filesUnder)
    .filter((file) => /\.ts$/.test(file) && !dockerignore.ignores(file));
  if (files.length < 20) throw new Error(`the build stage copies only ${files.length} TypeScript files`);
  return files;
}

function filesUnder(path: string): string[] {
  const absolute = join(root, path);
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: string[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const code = await main(args, { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: {} });
  return { code, stdout: chunks.join('') };
}

describe('Dockerfile', () => {
  it('is multi-stage: named stages, and a runtime stage that only receives files', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.name, `stage FROM ${stage.image}`).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(new Set(stages.map((stage) => stage.name)).size).toBe(stages.length);
    // Nothing is installed or compiled in the final image: no package manager, no compiler layers.
    expect(runCommandsOf(runtime)).toEqual([]);
    for (const step of copyStepsOf(runtime).filter((copy) => copy.from !== undefined)) {
      const source = stageByName(step.from);
      expect(source, `line ${step.line}: --from=${step.from} names an earlier stage`).toBeDefined();
      expect(stages.indexOf(source as Stage)).toBeLessThan(stages.indexOf(runtime));
    }
  });

  it('runs the final stage as a numeric non-root user (Kubernetes runAsNonRoot can only verify a number)', () => {
    const users = instructionsOf(runtime, 'USER').map((instruction) => instruction.getArgumentsContent() ?? '');
    const last = users.at(-1);
    expect(last, 'the final stage sets USER').toBeDefined();
    const [uid = '', gid] = (last as string).split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    if (gid !== undefined) expect(Number(gid)).toBeGreaterThan(0);
    // Whatever runs after USER runs as that user; nothing may switch back.
    const userIndex = runtime.instructions.findLastIndex((instruction) => instruction.getKeyword() === 'USER');
    expect(runtime.instructions.slice(userIndex + 1).map((instruction) => instruction.getKeyword())).not.toContain('RUN');
  });

  it('builds on a current Node LTS slim or alpine image, the same in every stage', () => {
    for (const stage of stages) {
      const major = nodeMajor(stage.image);
      expect(major, `${stage.name}: ${stage.image} is an official node slim/alpine tag`).toBeDefined();
      expect(SUPPORTED_NODE_LTS, `${stage.name}: Node ${major} is a supported LTS line`).toContain(major);
    }
    // One Node line everywhere: the production node_modules installed in one stage runs in another.
    expect(new Set(stages.map((stage) => stage.image)).size).toBe(1);
    // package.json's engines accept it: some `^M.m.p` or `>=M` clause admits its major.
    const major = nodeMajor(runtime.image) ?? 0;
    const clauses = pkg.engines.node.split('||').map((clause) => clause.trim());
    expect(clauses.some((clause) => (/^\^(\d+)\./.exec(clause)?.[1] ?? '') === String(major) || Number(/^>=\s*(\d+)/.exec(clause)?.[1] ?? Infinity) <= major), pkg.engines.node).toBe(true);
  });

  it('takes the base as build argument NODE_IMAGE (the official image by default; CI passes its local stand-in)', () => {
    for (const stage of stages) expect(stage.from, `${stage.name}: FROM`).toBe('${NODE_IMAGE}');
    const base = runtime.image;
    expect(base).toMatch(/^(?:docker\.io\/library\/)?node:/);
    // A digest, when the default carries one, is a full sha256 (no truncated or placeholder pin).
    if (base.includes('@')) expect(base).toMatch(DIGEST);
  });

  it('gets npm registry settings and an extra CA only as build secrets, on every install', () => {
    const installs = stages.flatMap((stage) => instructionsOf(stage, 'RUN').filter((run) => /\bnpm\s+ci\b/.test(run.getArgumentsContent() ?? '')));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) {
      const secrets = flagsOf(install, 'mount').filter((mount) => /(?:^|,)type=secret(?:,|$)/.test(mount));
      const ids = secrets.map((mount) => /(?:^|,)id=([^,]+)/.exec(mount)?.[1]);
      expect(ids.sort(), `line ${install.getRange().start.line + 1}`).toEqual(['ca', 'npmrc']);
      // Secret mounts live outside the app directory, so no COPY of it can pick one up.
      for (const mount of secrets) expect(/(?:^|,)target=([^,]+)/.exec(mount)?.[1] ?? '').not.toMatch(/^\/app(?:\/|$)/);
    }
    // Nothing brings npm settings or certificates in any other way.
    for (const stage of stages) {
      for (const step of copyStepsOf(stage)) for (const source of step.sources) expect(source).not.toMatch(/npmrc|\.pem$|\.crt$/);
      for (const { name } of propertiesOf(stage)) expect(name).not.toMatch(/^(?:NPM_CONFIG_|NODE_EXTRA_CA_CERTS$)/i);
    }
  });

  it('has a HEALTHCHECK that runs `ipenrich healthcheck` in exec form, with room for its 2.5 s probe', async () => {
    const checks = instructionsOf(runtime, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const check = checks[0];
    if (!check) throw new Error('no HEALTHCHECK');
    const command = execFormOf(check);
    expect(command).toEqual(['node', pkg.bin.ipenrich, 'healthcheck']);
    expect(durationSeconds(flagOf(check, 'timeout') ?? '30s')).toBeGreaterThanOrEqual(3);
    expect(durationSeconds(flagOf(check, 'interval') ?? '30s')).toBeGreaterThanOrEqual(durationSeconds(flagOf(check, 'timeout') ?? '30s'));
    expect(Number(flagOf(check, 'retries') ?? '3')).toBeGreaterThanOrEqual(2);
    // The command exists in this build of the CLI.
    const help = await cli(['healthcheck', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ipenrich healthcheck/);
  });

  it('has the CLI as ENTRYPOINT (one image for worker, serve and the tools) and --help as default CMD', () => {
    const [entrypoint] = instructionsOf(runtime, 'ENTRYPOINT');
    const [cmd] = instructionsOf(runtime, 'CMD');
    expect(entrypoint && execFormOf(entrypoint)).toEqual(['node', pkg.bin.ipenrich]);
    expect(cmd && execFormOf(cmd)).toEqual(['--help']);
    // The entry script is what the build produces and the runtime stage copies.
    expect(pkg.bin.ipenrich).toMatch(/^dist\//);
    expect(copyStepsOf(runtime).some((step) => step.from !== undefined && step.sources.some((source) => /\/dist\/?$/.test(source)))).toBe(true);
  });

  it('bakes no secret into ENV or ARG', () => {
    const secretName = /SECRET|TOKEN|PASSWORD|PASSWD|API_?KEYS?\b|PRIVATE|CREDENTIAL/i;
    const secretValue = /whsec_|-----BEGIN|^(?:[A-Za-z0-9+/]{32,}={0,2})$/;
    const properties = stages.flatMap(propertiesOf);
    expect(properties.length).toBeGreaterThan(0);
    for (const { keyword, name, value, line } of properties) {
      expect(SECRET_NAMES, `line ${line}: ${keyword} ${name}`).not.toContain(name.replace(/_FILE$/, ''));
      expect(name, `line ${line}: ${keyword} ${name} looks like a secret`).not.toMatch(secretName);
      expect(value ?? '', `line ${line}: ${keyword} ${name} has a secret-looking value`).not.toMatch(secretValue);
    }
  });

  it('installs with npm ci from the lockfile; the shipped node_modules has no dev dependencies and ran no scripts', () => {
    const npmCommands = stages.flatMap((stage) => runCommandsOf(stage).filter((run) => /\bnpm\b/.test(run)).map((run) => ({ stage, run })));
    expect(npmCommands.length).toBeGreaterThan(0);
    for (const { stage, run } of npmCommands) {
      expect(run, `${stage.name}: npm install would ignore the lockfile`).not.toMatch(/\bnpm\s+(install|i|add)\b/);
      if (/\bnpm\s+ci\b/.test(run)) {
        // The lockfile is in the stage before npm ci runs.
        const runIndex = stage.instructions.findIndex((instruction) => instruction.getKeyword() === 'RUN' && (instruction.getArgumentsContent() ?? '').includes(run.slice(0, 20)));
        const copiedBefore = copyStepsOf({ ...stage, instructions: stage.instructions.slice(0, runIndex) }).flatMap((step) => step.sources);
        expect(copiedBefore, `${stage.name}: package-lock.json copied before npm ci`).toContain('package-lock.json');
        // package.json's prepare script builds from sources: an install must not run it.
        if (pkg.scripts.prepare ?? pkg.scripts.install ?? pkg.scripts.postinstall) expect(run).toContain('--ignore-scripts');
      }
    }
    // The runtime's node_modules comes from a stage whose only install omits dev dependencies.
    const modules = copyStepsOf(runtime).find((step) => step.sources.some((source) => /node_modules\/?$/.test(source)));
    expect(modules?.from).toBeDefined();
    const installs = runCommandsOf(stageByName(modules?.from) as Stage).filter((run) => /\bnpm\s+(ci|prune)\b/.test(run));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/--omit=dev|--production/);
  });

  it('copies only what is needed, and every source exists and reaches the build context', () => {
    // examples/alerts: the samples `ipenrich demo` enriches.
    const allowedInRuntime = ['package.json', 'config', 'examples/alerts'];
    for (const stage of stages) {
      for (const step of contextCopies(stage)) {
        for (const source of step.sources) {
          expect(source, `line ${step.line}: no wildcard or whole-context copy`).not.toMatch(/^\.\/?$|[*?[]/);
          expect(existsSync(join(root, source)), `line ${step.line}: ${source} exists`).toBe(true);
          expect(dockerignore.ignores(source), `line ${step.line}: ${source} is excluded by .dockerignore`).toBe(false);
          const kept = filesUnder(source).filter((file) => !dockerignore.ignores(file));
          expect(kept.length, `line ${step.line}: files of ${source} reach the context`).toBeGreaterThan(0);
          expect(source, `line ${step.line}: tests do not ship`).not.toMatch(/^test\//);
        }
        if (stage === runtime) for (const source of step.sources) expect(allowedInRuntime).toContain(source);
      }
    }
  });

  it('.dockerignore keeps local secrets, dependencies and build output out of the context', () => {
    for (const path of ['.env', 'config/production.env', 'node_modules/zod/package.json', 'dist/src/bin.js', '.git/config', 'certs/client.pem', 'test/unit/config.test.ts', 'npm-debug.log']) {
      expect(dockerignore.ignores(path), path).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', 'src/bin.ts', 'src/redis/scripts/acquire-n.lua', 'config/ipenrich.example.env']) {
      expect(dockerignore.ignores(path), path).toBe(false);
    }
  });

  it('gives the build stage every module the shipped code imports', () => {
    const copied = buildStageSources();
    const inContext = (file: string): boolean => copied.some((source) => file === source || file.startsWith(`${source}/`));
    const outside: string[] = [];
    for (const file of buildStageFiles()) {
      for (const specifier of runtimeImports(readFileSync(join(root, file), 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = relative(root, join(root, dirname(file), specifier)).replace(/\.js$/, '.ts');
        if (!inContext(target) || !existsSync(join(root, target))) outside.push(`${file} imports ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('ships only code whose imports are production dependencies', () => {
    const missing = new Set<string>();
    for (const file of buildStageFiles()) {
      for (const specifier of runtimeImports(readFileSync(join(root, file), 'utf8'))) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier);
        if (!(name in pkg.dependencies)) missing.add(`${file} imports ${name}`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

/** Module specifiers a compiled file still imports at run time (type-only imports are erased). */
function runtimeImports(source: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) found.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
