import { describe, expect, it } from 'vitest';
import { backoffDelayMs, inProcessRetryDelay, retryDelayMs, retryInProcess, type Sleep } from '../../../src/http/retry-policy.js';

const low = (): number => 0;
const high = (): number => 1;

describe('backoff', () => {
  it('doubles per attempt with jitter between half and the full ceiling', () => {
    expect(backoffDelayMs(1, { baseMs: 500, random: low })).toBe(250);
    expect(backoffDelayMs(1, { baseMs: 500, random: high })).toBe(500);
    expect(backoffDelayMs(3, { baseMs: 500, random: low })).toBe(1_000);
    expect(backoffDelayMs(3, { baseMs: 500, random: high })).toBe(2_000);
    expect(backoffDelayMs(2, { baseMs: 500, random: () => 0.5 })).toBe(750);
  });

  it('treats attempt 0 like the first', () => {
    expect(backoffDelayMs(0, { baseMs: 400, random: high })).toBe(400);
  });

  it('caps the exponential ceiling', () => {
    expect(backoffDelayMs(10, { baseMs: 1_000, maxDelayMs: 8_000, random: low })).toBe(4_000);
    expect(backoffDelayMs(10, { baseMs: 1_000, maxDelayMs: 8_000, random: high })).toBe(8_000);
  });

  it("takes the server's Retry-After over the backoff, even above the cap", () => {
    const policy = { baseMs: 1_000, maxDelayMs: 2_000, random: high };
    expect(retryDelayMs(3, 60_000, policy)).toBe(60_000);
    expect(retryDelayMs(3, 100, policy)).toBe(100);
    expect(retryDelayMs(3, 0, policy)).toBe(0);
    expect(retryDelayMs(3, undefined, policy)).toBe(2_000);
  });
});

describe('in-process retries', () => {
  const policy = { baseMs: 100, attempts: 3, maxInProcessWaitMs: 1_000, random: high };

  it('waits while attempts are left and the wait is short; the rest is the worker’s', () => {
    expect(inProcessRetryDelay(1, undefined, policy)).toBe(100);
    expect(inProcessRetryDelay(2, undefined, policy)).toBe(200);
    expect(inProcessRetryDelay(3, undefined, policy)).toBeUndefined();
    expect(inProcessRetryDelay(1, 1_000, policy)).toBe(1_000);
    expect(inProcessRetryDelay(1, 1_001, policy)).toBeUndefined();
  });

  const recordingSleep = (waits: number[]): Sleep => (ms) => {
    waits.push(ms);
    return Promise.resolve();
  };
  const temporaryError = (retryAfterMs?: number) => Object.assign(new Error('temporary'), { temporary: true, retryAfterMs });
  const temporary = (error: unknown) =>
    (error as { temporary?: boolean }).temporary === true ? { retryAfterMs: (error as { retryAfterMs?: number }).retryAfterMs } : undefined;
  const abortedWhileWaiting = (abort: unknown) => new Error('aborted while waiting', { cause: abort });

  it('retries temporary failures with the backoff or the Retry-After, then returns the result', async () => {
    const waits: number[] = [];
    const seen: number[] = [];
    const result = await retryInProcess(
      (attempt) => {
        seen.push(attempt);
        if (attempt === 1) return Promise.reject(temporaryError());
        if (attempt === 2) return Promise.reject(temporaryError(700));
        return Promise.resolve('done');
      },
      { policy, signal: undefined, temporary, abortedWhileWaiting, sleep: recordingSleep(waits) },
    );
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 700]);
  });

  it('throws a final failure at once, and the last temporary one when attempts run out', async () => {
    const waits: number[] = [];
    const final = new Error('final');
    await expect(retryInProcess(() => Promise.reject(final), { policy, signal: undefined, temporary, abortedWhileWaiting, sleep: recordingSleep(waits) })).rejects.toBe(final);
    expect(waits).toEqual([]);

    let attempts = 0;
    const last = temporaryError();
    await expect(
      retryInProcess(
        () => {
          attempts += 1;
          return Promise.reject(attempts === 3 ? last : temporaryError());
        },
        { policy, signal: undefined, temporary, abortedWhileWaiting, sleep: recordingSleep(waits) },
      ),
    ).rejects.toBe(last);
    expect(waits).toEqual([100, 200]);
  });

  it('hands a long Retry-After to the caller instead of sleeping on it', async () => {
    const waits: number[] = [];
    const long = temporaryError(5_000);
    await expect(retryInProcess(() => Promise.reject(long), { policy, signal: undefined, temporary, abortedWhileWaiting, sleep: recordingSleep(waits) })).rejects.toBe(long);
    expect(waits).toEqual([]);
  });

  it('turns an abort during the wait into the caller’s error', async () => {
    const controller = new AbortController();
    const abortingSleep: Sleep = async (_ms, signal) => {
      controller.abort(new Error('stop'));
      await Promise.resolve();
      signal?.throwIfAborted();
    };
    const error = await retryInProcess(() => Promise.reject(temporaryError()), {
      policy,
      signal: controller.signal,
      temporary,
      abortedWhileWaiting,
      sleep: abortingSleep,
    }).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toBe('aborted while waiting');
    expect(((error as Error).cause as Error).message).toBe('stop');
  });
});
