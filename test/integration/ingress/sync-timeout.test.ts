import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertResultSchema } from '../../../src/result/schema.js';
import { startEmulators, type Emulators } from '../../../src/emulators/emulators.js';
import { waitFor } from '../../support/cli-process.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from './support/ingress-harness.js';

describe('POST /v1/enrich when the result takes longer than INGRESS_SYNC_TIMEOUT_MS', () => {
  let emulators: Emulators;
  let harness: IngressHarness;

  beforeAll(async () => {
    emulators = await startEmulators();
    // No worker yet: the job cannot finish within the synchronous wait.
    harness = await startIngressHarness({ env: { ...emulators.env, INGRESS_SYNC_TIMEOUT_MS: '300' } });
  });

  afterAll(async () => {
    await harness.close();
    await emulators.close();
  });

  it('answers 202 with Location and Retry-After, the status URL answers 202 until the result is there, then 200 with it', async () => {
    const alert = { SystemAlertId: 'b7e4c9a1-5d2f-4e8a-9c3b-1a2b3c4d5e6f', AlertName: 'Slow one', Entities: '[{"Type":"ip","Address":"203.0.113.61"}]' };
    const first = await harness.http('POST', '/v1/enrich', { body: alert });
    expect(first.status).toBe(202);
    const pending = first.json as { jobId: string; state: string; statusUrl: string; duplicate: boolean };
    expect(pending.duplicate).toBe(false);
    expect(['waiting', 'prioritized']).toContain(pending.state);
    expect(first.headers.location).toBe(pending.statusUrl);
    expect(Number(first.headers['retry-after'])).toBeGreaterThan(0);

    const poll = await harness.http('GET', pending.statusUrl);
    expect(poll.status).toBe(202);
    expect(poll.json).toMatchObject({ jobId: pending.jobId, finishedAt: null });
    expect(poll.headers.location).toBe(pending.statusUrl);

    await harness.startWorker();
    let done: HttpAnswer | undefined;
    await waitFor('the job to complete', async () => {
      done = await harness.http('GET', pending.statusUrl);
      return done.status === 200;
    }, 20_000);
    const view = done?.json as { state: string; finishedAt: string | null; result: unknown };
    expect(view.state).toBe('completed');
    expect(view.finishedAt).not.toBeNull();
    expect(alertResultSchema.parse(view.result).ips.map((ip) => ip.ip)).toEqual(['203.0.113.61']);

    // The same alert again: the job is already complete, so the answer is immediate and final.
    const again = await harness.http('POST', '/v1/enrich', { body: alert });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ jobId: pending.jobId, state: 'completed', duplicate: true });
  });
});
