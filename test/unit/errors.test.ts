import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT_CODES, IpenrichError, toIpenrichError, type ErrorCode } from '../../src/errors.js';

function documentedCodes(): Map<string, string> {
  const rows = readFileSync('docs/ERRORS.md', 'utf8').split('\n').filter((line) => /^\| [A-Z_]+ \|/.test(line));
  return new Map(rows.map((row) => {
    const [, code, job, http, exit] = row.split('|').map((cell) => cell.trim());
    return [code ?? '', `${job} ${http} ${exit}`];
  }));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('error registry', () => {
  it('documents every code in docs/ERRORS.md with what the job does, its HTTP status and exit code, and nothing else', () => {
    const docs = documentedCodes();
    expect([...docs.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(docs.get(code), code).toBe(`${spec.job} ${spec.http} ${spec.exit}`);
    }
  });

  it('documents every exit code in docs/ERRORS.md, and each is distinct', () => {
    const section = readFileSync('docs/ERRORS.md', 'utf8').split('## Exit codes')[1] ?? '';
    const rows = section.split('\n').filter((line) => /^\| \d+ \|/.test(line)).map((row) => row.split('|').map((cell) => cell.trim()));
    expect(new Map(rows.map(([, exit, name]) => [name, Number(exit)]))).toEqual(new Map(Object.entries(EXIT_CODES)));
    expect(new Set(Object.values(EXIT_CODES)).size).toBe(Object.keys(EXIT_CODES).length);
    for (const spec of Object.values(ERROR_CODES)) expect([EXIT_CODES.failure, EXIT_CODES.usage]).toContain(spec.exit);
  });

  it('waits only for budget and throttling, answers 2 only for what the user fixes, and hides only 500s', () => {
    const waiting = Object.entries(ERROR_CODES).filter(([, spec]) => spec.job === 'wait').map(([code]) => code);
    expect(waiting.sort()).toEqual(['BUDGET_DEFERRED', 'HUNTING_THROTTLED', 'MDE_THROTTLED']);
    expect(ERROR_CODES.USAGE.exit).toBe(2);
    expect(ERROR_CODES.MDE_FORBIDDEN.exit).toBe(1);
    expect(ERROR_CODES.REDIS_UNAVAILABLE.http).toBe(503);
  });

  it('has no code that the product never raises', () => {
    const text = ['src', 'connectors'].flatMap(sourceFiles).filter((file) => !file.endsWith('errors.ts'))
      .map((file) => readFileSync(file, 'utf8')).join('\n');
    const unused = Object.keys(ERROR_CODES).filter((code) => !text.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('takes what the job does from the registry, not from the caller', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const error = new IpenrichError(code, 'x');
      expect(error.onJob).toBe(ERROR_CODES[code].job);
      expect(error.retryable).toBe(ERROR_CODES[code].job !== 'fail');
    }
  });

  it('wraps foreign errors as INTERNAL and keeps its own', () => {
    const own = new IpenrichError('MDE_TIMEOUT', 'slow', { retryAfterMs: 5 });
    expect(toIpenrichError(own)).toBe(own);
    const wrapped = toIpenrichError(new TypeError('boom'));
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.retryable).toBe(false);
    expect(JSON.parse(JSON.stringify(own))).toEqual({ code: 'MDE_TIMEOUT', message: 'slow', retryable: true, retryAfterMs: 5 });
  });
});
