import { describe, expect, it } from 'vitest';
import { IpenrichError } from '../../../src/errors.js';
import { decideForDeliveries, decideForError, sinkRetryDelay, type FailedDelivery } from '../../../src/pipeline/decide.js';

const policy = { baseMs: 1_000, maxDelayMs: 60_000, maxRetryMs: 3_600_000, random: () => 1 };

function failed(name: string, error: IpenrichError, failures: number, firstFailureAt: number | null): FailedDelivery {
  return { name, error, state: { delivered: false, failures, firstFailureAt, notes: [] } };
}

describe('decideForError', () => {
  it('defers throttling by Retry-After, retries transient errors, fails configuration errors', () => {
    expect(decideForError(new IpenrichError('MDE_THROTTLED', '429', { retryAfterMs: 7_000 }), 100)).toMatchObject({ kind: 'delay', until: 7_100 });
    expect(decideForError(new IpenrichError('MDE_SERVER_ERROR', '503'), 0)).toMatchObject({ kind: 'retry' });
    expect(decideForError(new IpenrichError('MDE_FORBIDDEN', 'no Ip.Read.All'), 0)).toMatchObject({ kind: 'fail', reason: 'MDE_FORBIDDEN: no Ip.Read.All' });
    expect(decideForError(new IpenrichError('INTERNAL', 'bug'), 0).kind).toBe('fail');
  });
});

describe('sink retries', () => {
  it('backs off exponentially up to the cap, with jitter, and never sooner than Retry-After', () => {
    expect(sinkRetryDelay(1, undefined, policy)).toBe(1_000);
    expect(sinkRetryDelay(4, undefined, policy)).toBe(8_000);
    expect(sinkRetryDelay(30, undefined, policy)).toBe(60_000);
    expect(sinkRetryDelay(1, undefined, { ...policy, random: () => 0 })).toBe(500);
    expect(sinkRetryDelay(1, 20_000, policy)).toBe(20_000);
  });

  it('delays while a sink is down, fails on a permanent rejection or after the retry window', () => {
    const down = new IpenrichError('SINK_UNAVAILABLE', 'HEC busy', { retryAfterMs: 5_000 });
    expect(decideForDeliveries([], 0, policy)).toBeNull();
    expect(decideForDeliveries([failed('splunk', down, 2, 0)], 10_000, policy)).toMatchObject({ kind: 'delay', until: 15_000 });
    expect(decideForDeliveries([failed('splunk', down, 9, 0)], 3_600_000, policy)).toMatchObject({ kind: 'fail' });
    const rejected = new IpenrichError('SINK_REJECTED', 'Incorrect index');
    const decision = decideForDeliveries([failed('splunk', down, 1, 0), failed('webhook', rejected, 1, 0)], 1, policy);
    expect(decision).toMatchObject({ kind: 'fail' });
    expect(decision?.reason).toContain('webhook: SINK_REJECTED: Incorrect index');
  });
});
