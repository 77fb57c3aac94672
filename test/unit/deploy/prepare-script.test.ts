import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm ci` runs `prepare`, which builds from source so `npx ipenrich demo` works right after it.
 * `npm ci --omit=dev` leaves out the dev dependencies the build needs: `prepare` must then skip the
 * build, not fail the install. The script runs here in a copy of a checkout whose node_modules
 * holds at most a TypeScript (npm installs it with --omit=dev too, as an optional peer dependency).
 */
describe('the prepare script', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function checkoutWithoutDevDependencies(withDist: boolean, withTypescript = false): string {
    const dir = mkdtempSync(join(tmpdir(), 'ipe-prepare-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'scripts'));
    cpSync(resolve('scripts/prepare.mjs'), join(dir, 'scripts/prepare.mjs'));
    // A build that would fail loudly if it ran: it must not.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'copy', type: 'module', scripts: { build: 'exit 7' } }));
    if (withTypescript) {
      mkdirSync(join(dir, 'node_modules/typescript'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/typescript/package.json'), JSON.stringify({ name: 'typescript', main: 'index.js' }));
      writeFileSync(join(dir, 'node_modules/typescript/index.js'), '');
    }
    if (withDist) {
      mkdirSync(join(dir, 'dist/src'), { recursive: true });
      writeFileSync(join(dir, 'dist/src/bin.js'), '');
    }
    return dir;
  }

  function runPrepare(cwd: string, env: Record<string, string> = {}): { status: number | null; output: string } {
    const run = spawnSync(process.execPath, ['scripts/prepare.mjs'], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  it('is what package.json runs on install', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.prepare).toBe('node scripts/prepare.mjs');
  });

  it('skips the build without TypeScript, and the install goes on with the dist/ that is there', () => {
    const { status, output } = runPrepare(checkoutWithoutDevDependencies(true));
    expect(status).toBe(0);
    expect(output).toMatch(/dev dependencies .* not installed.*skipping the build.*existing dist\//s);
  });

  it('skips the build when TypeScript is there (an optional peer) but @types/node is not, or npm says --omit=dev', () => {
    const dir = checkoutWithoutDevDependencies(true, true);
    expect(runPrepare(dir)).toMatchObject({ status: 0, output: expect.stringMatching(/skipping the build/) as unknown });
    expect(runPrepare(dir, { npm_config_omit: 'dev' })).toMatchObject({ status: 0, output: expect.stringMatching(/skipping the build/) as unknown });
  });

  it('without TypeScript and without dist/, says how to build, without failing the install', () => {
    const { status, output } = runPrepare(checkoutWithoutDevDependencies(false));
    expect(status).toBe(0);
    expect(output).toMatch(/no dist\/.*npm ci && npm run build/s);
  });
});
