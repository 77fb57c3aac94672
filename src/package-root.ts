import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The directory holding ipenrich's package.json, whether running from src/ (tsx) or dist/src/
 * (built), so bundled files (examples, config) are found from either.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the ipenrich package root');
    dir = parent;
  }
  root = dir;
  return dir;
}
