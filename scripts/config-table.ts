/**
 * The README's configuration table, generated from config/ipenrich.example.env (the one place each
 * setting is documented). `npm run docs` rewrites it; test/unit/readme.test.ts keeps it in step.
 */
import { readFileSync } from 'node:fs';

/**
 * A setting, commented out: `# NAME=default`. Uncommented it is an env-file assignment, whose value
 * runs to the end of the line, so the line holds nothing else; an empty default means none.
 */
const SETTING = /^# ([A-Z][A-Z0-9_]+)=(.*)$/;
const SECTION = /^# --- (.*) ---$/;
/** Any other comment line: a line of the meaning of the setting directly below. */
const COMMENT = /^#(?: (.*))?$/;

export function configTable(exampleEnv: string): string {
  const lines: string[] = [];
  /** The comment lines since the last blank line, section or setting: the next setting's meaning. */
  let meaning: string[] = [];
  for (const line of exampleEnv.split('\n')) {
    const section = SECTION.exec(line);
    const setting = SETTING.exec(line);
    const comment = COMMENT.exec(line);
    if (section) {
      lines.push('', `**${section[1] ?? ''}**`, '', '| variable | default | meaning |', '|---|---|---|');
    } else if (setting) {
      const [, name = '', value = ''] = setting;
      const shown = value.trim() === '' ? '' : `\`${value.trim()}\``;
      lines.push(`| \`${name}\` | ${shown} | ${meaning.join(' ').replaceAll('|', '\\|')} |`);
    } else if (comment) {
      if (comment[1]?.trim()) meaning.push(comment[1].trim());
      continue;
    }
    meaning = [];
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
