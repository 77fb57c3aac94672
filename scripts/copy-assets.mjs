// tsc copies no non-TS files: Lua scripts are loaded at run time from beside the compiled modules.
import { chmodSync, cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function copyMatching(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyMatching(path);
    else if (name.endsWith('.lua')) cpSync(path, join('dist', path));
  }
}
for (const root of ['src', 'connectors']) copyMatching(root);

// tsc writes files without the executable bit; the `bin` entry needs it wherever npm has not set it
// (a rebuild after install, npx's link to this directory).
chmodSync('dist/src/bin.js', 0o755);
