import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import dockerignoreModule from '@balena/dockerignore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../support/redis.js';
import { copyStepsOf, execFormOf, instructionsOf, parseStages, propertiesOf, runCommandsOf, type Stage } from '../../unit/deploy/support/dockerfile-model.js';

/**
 * `docker build` without Docker: each stage of the Dockerfile becomes a directory standing for its
 * WORKDIR, its COPY instructions copy what the build context (filtered by .dockerignore) or an
 * earlier stage holds, and its RUN commands run there. Then the runtime stage's directory — the
 * image's /app — runs the CLI as the ENTRYPOINT and HEALTHCHECK would, with nothing but its own
 * node_modules: a clean `npm ci --omit=dev --ignore-scripts` from the lockfile.
 *
 * One stage is not rebuilt: the compiling stage (`npm run build`) is this repository, whose dist/
 * is built here when missing or older than its sources (CI's `npm ci` builds it through `prepare`).
 * test/unit/deploy/dockerfile.test.ts checks that this stage copies every file the build needs.
 */

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const stages = parseStages(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const runtimeStage = stages.at(-1) as Stage;
const WORKDIR = '/app';
const dockerignore = dockerignoreModule.default().add(readFileSync(join(root, '.dockerignore'), 'utf8').split('\n'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

interface BuiltStage {
  readonly dir: string;
  readonly env: Record<string, string>;
}

function inStage(dir: string, containerPath: string): string {
  const path = containerPath.startsWith('/') ? containerPath : `${WORKDIR}/${containerPath}`;
  if (path !== WORKDIR && !path.startsWith(`${WORKDIR}/`)) throw new Error(`${containerPath} is outside ${WORKDIR}; this simulation maps only ${WORKDIR}`);
  return join(dir, path.slice(WORKDIR.length));
}

/** Docker's COPY: a directory's contents go into the destination; a file into it when it ends in `/` or there are several sources. */
function copy(source: string, dest: string, intoDirectory: boolean, filter: (path: string) => boolean): void {
  const target = statSync(source).isDirectory() || !intoDirectory ? dest : join(dest, basename(source));
  cpSync(source, target, { recursive: true, filter, verbatimSymlinks: true });
}

/** Newest modification time among the files a stage copies from the build context. */
function newestSource(stage: Stage): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const step of copyStepsOf(stage)) if (step.from === undefined) for (const source of step.sources) visit(join(root, source));
  return newest;
}

async function ensureBuilt(stage: Stage): Promise<void> {
  const entry = join(root, 'dist', 'src', 'bin.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestSource(stage)) return;
  await execFileAsync('npm', ['run', 'build'], { cwd: root, timeout: 100_000 });
}

async function buildStages(workspace: string): Promise<Map<string, BuiltStage>> {
  const built = new Map<string, BuiltStage>();
  for (const [index, stage] of stages.entries()) {
    if (runCommandsOf(stage).some((command) => /\bnpm run build\b/.test(command))) {
      await ensureBuilt(stage);
      built.set(stage.name ?? String(index), { dir: root, env: {} });
      continue;
    }
    const dir = join(workspace, stage.name ?? `stage-${index}`);
    mkdirSync(dir);
    const env: Record<string, string> = {};
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      if (keyword === 'WORKDIR') expect(instruction.getArgumentsContent()).toBe(WORKDIR);
      if (keyword === 'ENV') for (const { name, value } of propertiesOf({ ...stage, instructions: [instruction] })) env[name] = value ?? '';
      if (keyword === 'COPY') {
        const [step] = copyStepsOf({ ...stage, instructions: [instruction] });
        if (!step) continue;
        const intoDirectory = step.dest.endsWith('/') || step.sources.length > 1;
        const dest = inStage(dir, step.dest);
        mkdirSync(intoDirectory ? dest : join(dest, '..'), { recursive: true });
        for (const source of step.sources) {
          if (step.from === undefined) {
            copy(join(root, source), dest, intoDirectory, (path) => path === join(root, source) || !dockerignore.ignores(relative(root, path)));
          } else {
            const from = built.get(step.from);
            if (!from) throw new Error(`COPY --from=${step.from}: no such earlier stage`);
            copy(inStage(from.dir, source), dest, intoDirectory, () => true);
          }
        }
      }
      if (keyword === 'RUN') {
        const command = (instruction.getArgumentsContent() ?? '').replace(/\\\n\s*/g, ' ');
        await execFileAsync('sh', ['-c', command], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false', ...env },
          timeout: 80_000,
        });
      }
    }
    built.set(stage.name ?? String(index), { dir, env });
  }
  return built;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the image, built from the Dockerfile stages without Docker', () => {
  let workspace: string;
  let image: BuiltStage;
  let entrypoint: string[];

  /** Runs a command in the image's /app with only the image's environment, as `docker run` would. */
  function run(command: readonly string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
    const [file = '', ...args] = command;
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { cwd: image.dir, env: { PATH: process.env.PATH ?? '', ...image.env, ...options.env } });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
      child.stdin.end(options.stdin ?? '');
    });
  }

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'ipenrich-image-'));
    const built = await buildStages(workspace);
    image = built.get(runtimeStage.name ?? String(stages.length - 1)) as BuiltStage;
    const [instruction] = instructionsOf(runtimeStage, 'ENTRYPOINT');
    entrypoint = (instruction && execFormOf(instruction)) ?? [];
  }, 150_000);
  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('holds only the runtime files, and node_modules without dev dependencies', () => {
    expect(existsSync(join(image.dir, 'dist', 'src', 'bin.js'))).toBe(true);
    expect(existsSync(join(image.dir, 'dist', 'src', 'redis', 'scripts', 'acquire-n.lua'))).toBe(true);
    for (const absent of ['src', 'tsconfig.json', 'node_modules/vitest', 'node_modules/eslint', 'node_modules/dockerfile-ast']) {
      expect(existsSync(join(image.dir, absent)), absent).toBe(false);
    }
    expect(existsSync(join(image.dir, 'node_modules', 'bullmq'))).toBe(true);
  });

  it('answers --help, listing every command, and --version', async () => {
    const help = await run([...entrypoint, '--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    for (const name of ['extract', 'enqueue', 'worker', 'healthcheck']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const version = await run([...entrypoint, '--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('extracts the IPs of an alert', async () => {
    const alert = {
      id: 'image-smoke-1',
      title: 'Beacon to a rare host',
      entities: [{ type: 'ip', address: '203.0.113.7' }],
      description: 'Outbound connection from 10.20.30.40 to 198.51.100.23 on port 443',
    };
    const dir = mkdtempSync(join(workspace, 'alert-'));
    writeFileSync(join(dir, 'alert.json'), JSON.stringify(alert));
    const extracted = await run([...entrypoint, 'extract', join(dir, 'alert.json')]);
    expect(extracted.stderr).toBe('');
    expect(extracted.code).toBe(0);
    const output = JSON.parse(extracted.stdout) as { ips: { ip: string }[]; truncated: boolean };
    expect(output.ips.map((entry) => entry.ip).sort()).toEqual(['10.20.30.40', '198.51.100.23', '203.0.113.7']);
    expect(output.truncated).toBe(false);
  });

  it('passes its HEALTHCHECK against a reachable Redis and fails it against none', async () => {
    const [instruction] = instructionsOf(runtimeStage, 'HEALTHCHECK');
    const healthcheck = (instruction && execFormOf(instruction)) ?? [];
    expect(healthcheck.length).toBeGreaterThan(0);
    const healthy = await run(healthcheck, { env: { REDIS_URL: testRedisUrl() } });
    expect(healthy).toMatchObject({ code: 0, stderr: '' });
    const unhealthy = await run(healthcheck, { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(unhealthy.code).toBe(1);
    expect(unhealthy.stderr).toMatch(/^ipenrich healthcheck: unhealthy: Redis at 127\.0\.0\.1:1 /);
  });
});
