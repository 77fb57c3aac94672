// npm runs `prepare` after `npm ci`/`npm install` in a source checkout: it builds dist/, so
// `npx ipenrich demo` works right after `npm ci` (the README's first command). Without the dev
// dependencies (`npm ci --omit=dev`) the build cannot run: skip it instead of failing the install,
// and use the dist/ built beforehand (README, "Production install from a source checkout").
// TypeScript alone is no sign of dev dependencies: npm installs it with --omit=dev too, as an
// optional peer of a runtime dependency (valibot, via @bull-board/api); @types/node it does not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = process.cwd();
const require = createRequire(join(root, 'package.json'));

function resolvable(specifier) {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

// npm passes its `omit` setting to scripts as npm_config_omit (e.g. "dev" for --omit=dev).
const devOmitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev');
const buildable = !devOmitted && resolvable('typescript') && resolvable('@types/node/package.json');

if (buildable) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exitCode = build.status ?? 1;
} else if (existsSync(join(root, 'dist', 'src', 'bin.js'))) {
  console.log('ipenrich prepare: the dev dependencies (typescript, @types/node) are not installed: skipping the build; using the existing dist/');
} else {
  console.warn(
    'ipenrich prepare: the dev dependencies (typescript, @types/node) are not installed: skipping the build, but there is no dist/, ' +
      'so the ipenrich command will not run. Build first with the dev dependencies (npm ci && npm run build), then npm ci --omit=dev.',
  );
}
