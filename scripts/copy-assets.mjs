// tsc copies no non-TS files: Lua scripts are loaded at run time from beside the compiled modules.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function copyMatching(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyMatching(path);
    else if (name.endsWith('.lua')) cpSync(path, join('dist', path));
  }
}
for (const root of ['src', 'connectors']) copyMatching(root);
