import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';

/** 100,000 nested arrays: JSON.parse takes it, anything recursive after it (JSON.stringify) overflows the stack. */
const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const deepAlert = (id: string): string => `{"id":"${id}","source":{"ip":"203.0.113.9"},"data":${DEEP}}`;

function cli(args: string[], input: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/bin.ts', ...args], {
    env: { ...process.env, REDIS_URL: testRedisUrl(), IPENRICH_PREFIX: uniquePrefix('deep'), LOG_LEVEL: 'silent' },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stderr: run.stderr };
}

describe('an alert nested deeper than any parser should follow', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngressHarness({ env: { INGRESS_BODY_LIMIT_BYTES: String(4 * 1_048_576) } });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('is a 400 INPUT_INVALID at the ingress, never a 500', async () => {
    for (const path of ['/v1/alerts', '/v1/enrich']) {
      const answer = await harness.http('POST', path, { rawBody: deepAlert('deep-1'), headers: { 'content-type': 'application/json' } });
      expect(answer.status, path).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'INPUT_INVALID', issues: [{ path: 'body', message: expect.stringMatching(/nest at most \d+ levels/) as unknown }] } });
    }
    const list = await harness.http('POST', '/v1/alerts', { rawBody: `[{"id":"ok"},${deepAlert('deep-2')}]`, headers: { 'content-type': 'application/json' } });
    expect(list.status).toBe(400);
  });

  it('is told from the text before it is parsed: the depth error even when the JSON breaks further on', async () => {
    for (const rawBody of [`{"id":"deep-5","data":${'['.repeat(300)} and then no JSON at all`, `${'{"a":'.repeat(300)}oops`]) {
      const answer = await harness.http('POST', '/v1/alerts', { rawBody, headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'INPUT_INVALID', issues: [{ path: 'body', message: expect.stringMatching(/nest at most 256 levels/) as unknown }] } });
    }
    // Brackets inside strings are not nesting: 300 of them in a value are an ordinary alert.
    const brackets = JSON.stringify({ id: 'deep-6', note: `${'[{'.repeat(300)} "\\" \\[`, source: { ip: '203.0.113.9' } });
    expect((await harness.http('POST', '/v1/alerts', { rawBody: brackets, headers: { 'content-type': 'application/json' } })).status).toBe(202);
  });

  it('is one line on stderr and exit 2 from `ipenrich enqueue`, with nothing queued', () => {
    const run = cli(['enqueue', '-'], deepAlert('deep-3'));
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^ipenrich enqueue: INPUT_TOO_LARGE: standard input is nested more than \d+ levels/);
  });

  it('still extracts what it can reach with `ipenrich extract` (bounded by EXTRACT_MAX_DEPTH), without a crash', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/bin.ts', 'extract', '-'], { input: deepAlert('deep-4'), encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ips: [{ ip: '203.0.113.9' }], truncated: true });
  });
});
