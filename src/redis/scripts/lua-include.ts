import { readFileSync } from 'node:fs';

/** A line of its own naming a file of ./includes: `-- @include time` includes includes/time.lua. */
const INCLUDE_LINE = /^-- @include ([a-z][a-z0-9-]*)$/gm;

/** The header comment every included file opens with; its code follows. */
const HEADER = /^--\[\[[\s\S]*?\]\]/;

/**
 * The code of an included file on one line (its header comment dropped), so that putting it in place
 * of the `@include` line leaves the line numbers of the including script unchanged.
 */
export function includedCode(name: string): string {
  const code = readFileSync(new URL(`./includes/${name}.lua`, import.meta.url), 'utf8').replace(HEADER, '');
  if (code.includes('--')) throw new Error(`includes/${name}.lua: comments belong in its header (its code is joined onto one line)`);
  return code
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** A script's source with every `-- @include name` line replaced by that file's code. */
export function expandIncludes(source: string): string {
  return source.replace(INCLUDE_LINE, (_directive, name: string) => includedCode(name));
}
