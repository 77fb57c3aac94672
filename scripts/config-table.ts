/**
 * The README's configuration table, generated from config/ipenrich.example.env (the one place each
 * setting is documented). `npm run docs` rewrites it; test/unit/readme.test.ts keeps it in step.
 */
import { readFileSync } from 'node:fs';

const SETTING = /^# ([A-Z][A-Z0-9_]+)=(.*?)(?: — (.*))?$/;
const SECTION = /^# --- (.*) ---$/;

export function configTable(exampleEnv: string): string {
  const lines: string[] = [];
  for (const line of exampleEnv.split('\n')) {
    const section = SECTION.exec(line);
    if (section) {
      lines.push('', `**${section[1] ?? ''}**`, '', '| variable | default | meaning |', '|---|---|---|');
      continue;
    }
    const setting = SETTING.exec(line);
    if (!setting) continue;
    const [, name = '', value = '', meaning = ''] = setting;
    const shown = value.trim() === '' ? '' : `\`${value.trim()}\``;
    lines.push(`| \`${name}\` | ${shown} | ${meaning.replaceAll('|', '\\|')} |`);
  }
  return lines.join('\n').trim();
}

export const START = '<!-- config-table: generated from config/ipenrich.example.env by `npm run docs` -->';
export const END = '<!-- /config-table -->';

export function withConfigTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error('README.md lacks the config-table markers');
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

export function currentTable(): string {
  return configTable(readFileSync('config/ipenrich.example.env', 'utf8'));
}
