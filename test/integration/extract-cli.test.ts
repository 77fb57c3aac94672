import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSamples } from '../unit/extract/shared-samples.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real CLI in a child process, with only the environment given (no Redis, no Defender settings). */
function cli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin.ts', 'extract', ...args], {
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

const sentinel = loadSamples().find((sample) => sample.file.startsWith('47-'));
if (!sentinel) throw new Error('sample 47 missing');
const file = join(mkdtempSync(join(tmpdir(), 'ipe-extract-')), 'alert.json');
writeFileSync(file, sentinel.text);

// Each test starts ipenrich through tsx: on a loaded machine that alone can take many seconds. The
// time-out guards against a hang; it is not a speed bound.
describe('ipenrich extract', { timeout: 120_000 }, () => {
  it('prints the IPs of an alert file as one JSON line and exits 0', async () => {
    const run = await cli([file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(run.stdout) as { ips: Array<{ ip: string; paths: string[] }>; cidrs: string[]; truncated: boolean };
    expect(result.ips.map((ip) => ip.ip).sort()).toEqual([...sentinel.expected_ips].sort());
    expect(result.ips[0]).toMatchObject({ version: 4, range: 'public', enrich: true });
    expect(result).toMatchObject({ cidrs: [], truncated: false });
  });

  it('reads standard input for "-" and for no argument', async () => {
    const alert = JSON.stringify({ ClientIP: '[2001:db8::abcd]:12345', other: '127.0.0.1' });
    for (const args of [['-'], []]) {
      const run = await cli(args, { stdin: alert });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        ips: [
          { ip: '2001:db8::abcd', version: 6, range: 'documentation', enrich: true, paths: ['$.ClientIP'] },
          { ip: '127.0.0.1', version: 4, range: 'loopback', enrich: false, reason: 'loopback address: not in the enrichment policy (EXTRACT_ENRICH_RANGES)', paths: ['$.other'] },
        ],
        cidrs: [],
        truncated: false,
      });
    }
  });

  it('exits 2 with one line on stderr for input that is not JSON', async () => {
    const run = await cli(['-'], { stdin: 'src=10.0.0.1\nnot json' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ipenrich extract: INPUT_NOT_JSON: [^\n]+\n$/);
  });

  it('follows EXTRACT_* settings: size limit (exit 2) and enrichment policy', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(3_000), ip: '10.0.0.1' });
    const tooLarge = await cli(['-'], { stdin: big, env: { EXTRACT_MAX_INPUT_BYTES: '2048' } });
    expect(tooLarge.code).toBe(2);
    expect(tooLarge.stderr).toMatch(/^ipenrich extract: INPUT_TOO_LARGE: [^\n]+\n$/);
    const policy = await cli(['-'], { stdin: big, env: { EXTRACT_ENRICH_RANGES: 'public' } });
    expect(policy.code).toBe(0);
    expect(JSON.parse(policy.stdout)).toMatchObject({ ips: [{ ip: '10.0.0.1', enrich: false }] });
  });

  it('exits 2 for a file it cannot read or extra arguments', async () => {
    for (const args of [[join(tmpdir(), 'no-such-alert.json')], [file, file]]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^ipenrich extract: USAGE: [^\n]+\n$/);
    }
  });
});
