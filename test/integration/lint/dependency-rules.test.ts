// Every dependency rule of `npm run lint` must be able to fail: each fixture under
// test/fixtures/dependency-rules/ breaks one rule (clean/ breaks none), and the checker must say so.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
const fixtures = path.join(repo, 'test/fixtures/dependency-rules');

async function checkDependencies(fixture: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/check-dependencies.mjs', path.join(fixtures, fixture)], { cwd: repo });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

// Each case starts dependency-cruiser or eslint over a tree: seconds each, many on a loaded machine (a hang guard, not a speed bound).
describe('dependency rules (scripts/check-dependencies.mjs)', { timeout: 180_000 }, () => {
  it.concurrent('passes a tree that keeps every rule', async () => {
    const { code, output } = await checkDependencies('clean');
    expect(output).toContain('folder cycles: 0, module rule violations: 0');
    expect(code).toBe(0);
  });

  it.concurrent('finds a folder cycle that is not a module cycle, through a type-only import', async () => {
    const { code, output } = await checkDependencies('folder-cycle');
    expect(output).toContain('error no-folder-cycles: src/a <-> src/b');
    expect(output).toContain('src/a/one.ts → src/b/two.ts (type-only)');
    expect(code).toBe(1);
  });

  it.concurrent.each([
    ['test-import', ['no-test-from-product: src/clock.ts → test/fake-clock.ts']],
    [
      'connector-imports',
      [
        'connector-imports-only-ports: connectors/alpha/index.ts → src/config/load.ts',
        'connector-imports-only-ports: connectors/alpha/index.ts → src/queue/job.ts',
      ],
    ],
    ['connector-to-connector', ['no-connector-to-connector: connectors/alpha/index.ts → connectors/beta/index.ts']],
    [
      'pipeline-infrastructure',
      ['pipeline-depends-on-interfaces: src/pipeline.ts → http', /pipeline-depends-on-interfaces: src\/pipeline\.ts → \S*node_modules\/ioredis\//],
    ],
    ['unresolvable', ['no-unresolvable-imports: src/loader.mjs → ./missing.mjs']],
  ])('%s breaks its rule', async (fixture, violations) => {
    const { code, output } = await checkDependencies(fixture);
    for (const violation of violations) expect(output).toMatch(violation);
    expect(output).toContain(`module rule violations: ${violations.length}`);
    expect(code).toBe(1);
  });
});

describe('only src/config reads the environment (eslint.config.js)', { timeout: 180_000 }, () => {
  const eslint = new ESLint({ cwd: repo });
  const reads = [
    'export const url = process.env.REDIS_URL;',
    "export const url = process.env['REDIS_URL'];",
    'const { env } = process;\nexport const url = env.REDIS_URL;',
    "import { env } from 'node:process';\nexport const url = env.REDIS_URL;",
  ];

  async function problems(file: string, code: string): Promise<string[]> {
    const config = (await eslint.calculateConfigForFile(path.join(repo, file))) as Linter.Config | undefined;
    const rules = Object.fromEntries(
      Object.entries(config?.rules ?? {}).filter(([name]) => name === 'no-restricted-properties' || name === 'no-restricted-imports'),
    );
    const linter = new Linter({ configType: 'flat' });
    const messages = linter.verify(code, [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules }], {
      filename: 'checked.ts',
    });
    return messages.map((m) => m.message);
  }

  it.each(['src/emulators/tls.ts', 'src/commands/serve.ts', 'src/cli.ts', 'src/pipeline.ts', 'connectors/webhook/index.ts'])(
    'forbids every way of reading it in %s',
    async (file) => {
      for (const code of reads) expect(await problems(file, code), code).toEqual([expect.stringContaining('Only src/config reads the environment')]);
    },
  );

  it.each(['src/config/load.ts', 'src/config/tenants/file.ts', 'src/bin.ts', 'bench/run.ts', 'test/unit/config.test.ts'])('allows it in %s', async (file) => {
    for (const code of reads) expect(await problems(file, code), code).toEqual([]);
  });
});
