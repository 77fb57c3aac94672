import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IpenrichError } from '../../../src/errors.js';
import { extractIps } from '../../../src/extract/index.js';
import { createLogger } from '../../../src/log.js';
import type { Destination, JobRecord } from '../../../src/pipeline/ports.js';
import { processAlert, type JourneyDeps, type JourneyOptions } from '../../../src/pipeline/process-alert.js';
import type { JobAttempt } from '../../../src/queue/job-outcome.js';
import type { AlertJobData } from '../../../src/queue/job.js';
import type { AlertResult } from '../../../src/result/schema.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const IP = '203.0.113.9';

const job: AlertJobData = {
  alert: { '@timestamp': '2026-12-05T11:59:00Z', event: { id: 'reads-1', kind: 'alert', severity: 'high' }, related: { ip: [IP] } },
  tenant: 'default',
  format: 'ecs',
  alertId: 'reads-1',
  receivedAt: '2026-12-05T11:59:30.000Z',
  enqueueId: 'enqueue-1',
};
const options: JourneyOptions = { budgetWaitMs: 1_000, maxDeferMs: 60_000, sinkRetry: { baseMs: 1_000, maxDelayMs: 60_000, maxRetryMs: 3_600_000 } };

/** The journey's reads as they happen, with the record's answer held until the test releases it. */
function journey(stored: AlertResult | null, answeredInProcess = false, destinations: Destination[] = []) {
  const calls: string[] = [];
  let answerRecord: () => void = () => undefined;
  const saved: AlertResult[] = [];
  const record: JobRecord = {
    loadResult: () => {
      calls.push('record read');
      return new Promise((resolve) => (answerRecord = () => resolve(stored)));
    },
    saveResult: (result) => {
      saved.push(result);
      return Promise.resolve();
    },
    keepResult: (result) => {
      calls.push('keep result');
      if (stored) return Promise.resolve(stored);
      saved.push(result);
      return Promise.resolve(result);
    },
    keepResultWithCompletion: (result) => () => {
      calls.push('keep result with the completion');
      if (!stored) saved.push(result);
      return Promise.resolve();
    },
    markDeliveredWithCompletion: (marks) => () => {
      calls.push(`mark ${marks.map((mark) => mark.name).join(',')} delivered with the completion`);
      return Promise.resolve();
    },
    sink: () => Promise.resolve({ delivered: false, failures: 0, firstFailureAt: null, notes: [] }),
    markDelivered: () => Promise.resolve(),
    markFailed: () => Promise.resolve({ delivered: false, failures: 1, firstFailureAt: NOW, notes: [] }),
    progress: () => ({ completed: () => Promise.resolve(new Set<string>()), markCompleted: () => Promise.resolve() }),
  };
  const deps: JourneyDeps = {
    extract: (alert) => extractIps(alert),
    beginEnrich: (_tenant, ips, lookBackHours) => {
      calls.push(`cache read ${ips.join(',')}`);
      return {
        answeredInProcess,
        finish: () => {
          calls.push('enrich');
          return Promise.resolve(ips.map((ip) => ({
            ip,
            status: 'enriched' as const,
            cached: true,
            fetchedAt: '2026-12-05T11:00:00Z',
            record: { ip, prevalence: 3, firstSeen: '2026-12-01T00:00:00Z', lastSeen: '2026-12-05T10:00:00Z', seen: true, lookBackHours, fetchedAt: '2026-12-05T11:00:00Z' },
          })));
        },
      };
    },
    lookBackHoursFor: () => 720,
    policy: { rareMaxPrevalence: 5, newWithinHours: 24 },
    results: { forJob: () => record },
    destinationsFor: () => destinations,
    logger: createLogger({ level: 'silent' }),
    now: () => NOW,
  };
  return { deps, calls, saved, answerRecord: () => answerRecord() };
}

const attempt = (resultMayBeStored: boolean): JobAttempt => ({ jobId: 'job-reads-1', queuedAt: NOW - 1_000, finalAttempt: false, resultMayBeStored });

describe('the journey’s first reads: the job record and the cache', () => {
  it('on a first attempt, sends the cache read in the same tick as the record read, and enriches once the record is empty', async () => {
    const { deps, calls, saved, answerRecord } = journey(null);
    const done = processAlert(job, attempt(false), deps, options);
    // Both were sent before the record answered: with auto-pipelining, one socket write.
    expect(calls).toEqual([`cache read ${IP}`, 'record read']);
    answerRecord();
    const outcome = await done;
    expect(outcome.kind).toBe('done');
    expect(calls).toEqual([`cache read ${IP}`, 'record read', 'enrich']);
    expect(saved.map((result) => result.ips.map((ip) => [ip.ip, ip.prevalence]))).toEqual([[[IP, 3]]]);
  });

  it('when the record holds the result, answers with it and never finishes the cache read (no budget, no counts)', async () => {
    const first = journey(null);
    const built = processAlert(job, attempt(false), first.deps, options);
    first.answerRecord();
    await built;
    const stored = first.saved[0];
    if (!stored) throw new Error('the first journey stored no result');

    const again = journey(stored);
    const done = processAlert(job, attempt(false), again.deps, options);
    again.answerRecord();
    const outcome = await done;
    expect(outcome).toEqual({ kind: 'done', result: stored });
    expect(again.calls).toEqual([`cache read ${IP}`, 'record read']);
    expect(again.saved).toEqual([]);
  });

  it('when this process answered every IP itself, reads no record first: with no destination, the result is kept with the completion', async () => {
    const { deps, calls, saved } = journey(null, true);
    const outcome = await processAlert(job, attempt(false), deps, options);
    expect(calls).toEqual([`cache read ${IP}`, 'enrich']);
    if (outcome.kind !== 'done' || !outcome.withCompletion) throw new Error(`expected done with writes for the completion, got ${outcome.kind}`);
    // The worker sends these with the job's completion, on its own connection.
    await outcome.withCompletion({} as never);
    expect(calls).toEqual([`cache read ${IP}`, 'enrich', 'keep result with the completion']);
    expect(saved).toEqual([outcome.result]);
    expect(saved.map((result) => result.ips.map((ip) => [ip.ip, ip.prevalence]))).toEqual([[[IP, 3]]]);
  });

  it('when this process answered every IP itself and the record holds a result, delivers the one the record holds', async () => {
    const first = journey(null);
    const built = processAlert(job, attempt(false), first.deps, options);
    first.answerRecord();
    await built;
    const stored = { ...first.saved[0], completedAt: '2026-12-01T00:00:00.000Z' } as AlertResult;

    const received: AlertResult[] = [];
    const sink: Destination = { name: 'webhook', sink: { name: 'webhook', deliver: (result) => {
      received.push(result);
      return Promise.resolve();
    }, close: () => Promise.resolve() } };
    const again = journey(stored, true, [sink]);
    const outcome = await processAlert(job, attempt(false), again.deps, options);
    expect(received).toEqual([stored]);
    if (outcome.kind !== 'done' || !outcome.withCompletion) throw new Error(`expected done with writes for the completion, got ${outcome.kind}`);
    expect(outcome.result).toEqual(stored);
    await outcome.withCompletion({} as never);
    expect(again.calls).toEqual([`cache read ${IP}`, 'enrich', 'keep result', 'mark webhook delivered with the completion']);
    expect(again.saved).toEqual([]);
  });

  it('on a retry, which most likely finds its result, reads the record first and the cache only when it is empty', async () => {
    const { deps, calls, answerRecord } = journey(null);
    const done = processAlert(job, attempt(true), deps, options);
    expect(calls).toEqual(['record read']);
    answerRecord();
    expect((await done).kind).toBe('done');
    expect(calls).toEqual(['record read', `cache read ${IP}`, 'enrich']);
  });
});

describe('a failed delivery', () => {
  it('is logged with the tenant, the alert, each failing sink\'s code and reason, and when it is tried again', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const { deps, answerRecord } = journey(null);
    const failing = {
      name: 'webhook',
      deliver: () => Promise.reject(new IpenrichError('SINK_UNAVAILABLE', 'Webhook endpoint https://hooks.example/x answered 503')),
      close: () => Promise.resolve(),
    };
    const done = processAlert(job, attempt(false), { ...deps, destinationsFor: () => [{ name: 'webhook', sink: failing }], logger: createLogger({ destination: out }) }, options);
    answerRecord();
    const outcome = await done;
    expect(outcome.kind).toBe('delay');
    const line = lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.msg === 'some deliveries failed');
    expect(line).toMatchObject({
      level: 'warn',
      tenant: 'default',
      alertId: 'reads-1',
      failed: [{ sink: 'webhook', code: 'SINK_UNAVAILABLE', message: 'Webhook endpoint https://hooks.example/x answered 503', failures: 1 }],
      retryAt: expect.stringMatching(/^2026-12-05T12:/) as string,
    });
  });
});
