import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable, currentTable, END, START } from '../../scripts/config-table.js';
import { CONFIG_NAMES } from '../../src/config/schema.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('starts with the two commands for a fresh machine: the demo and the tests', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock.split('\n').filter(Boolean).map((line) => line.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['npm ci && npx ipenrich demo', 'npm test']);
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/\nnpm test\n/);
  });

  it('has the configuration table generated from config/ipenrich.example.env (regenerate: npm run docs)', () => {
    const section = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END)).trim();
    expect(section).toBe(currentTable());
    for (const name of CONFIG_NAMES) expect(section, name).toContain(`| \`${name}\` |`);
  });

  it('renders defaults and escapes pipes in meanings, read from the comment lines directly above each setting', () => {
    expect(configTable('# header, not a meaning\n\n# --- A ---\n\n# one | two\n# X_Y=1\n\n# none,\n# on two lines\n# ZZ=')).toBe(
      '**A**\n\n| variable | default | meaning |\n|---|---|---|\n| `X_Y` | `1` | one \\| two |\n| `ZZ` |  | none, on two lines |',
    );
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((match) => match[1] ?? '').filter((target) => !target.startsWith('http'));
    expect(links.filter((target) => !existsSync(target))).toEqual([]);
  });
});
