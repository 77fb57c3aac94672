import { describe, expect, it } from 'vitest';
import { huntingCooldownMs } from '../../../src/enrich/hunting/hunting-cooldown.js';
import { huntingLimitOf, huntingStatusError } from '../../../src/enrich/hunting/hunting-status-error.js';

const request = { method: 'POST', url: 'https://graph.microsoft.com/v1.0/security/runHuntingQuery', headerNames: [] };
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers, body: Buffer.from(JSON.stringify(body)) });
const NOW = Date.UTC(2026, 0, 1, 10, 7, 30);
const context = { now: NOW, cpuCycleMs: 15 * 60_000, shortestWindowMs: 60_250, safetyMs: 250 };

describe('hunting 429s and failures', () => {
  it('tells the CPU quota from the call rate by the body, and unknown wording from both', () => {
    expect(huntingLimitOf('the tenant has exceeded its allocated CPU resources')).toBe('cpu');
    expect(huntingLimitOf('exceeded the allowed number of calls per minute')).toBe('calls');
    expect(huntingLimitOf('')).toBe('unknown');
  });

  it('pauses until Retry-After when sent, a window for the call rate, else until the next 15-minute boundary', () => {
    const cpu = huntingStatusError(answer(429, { error: { code: 'TooManyRequests', message: 'CPU quota exceeded' } }), request, NOW);
    expect([cpu.code, cpu.details?.limit, cpu.retryAfterMs]).toEqual(['HUNTING_THROTTLED', 'cpu', undefined]);
    // 10:07:30 → 10:15:00 is 7.5 minutes.
    expect(huntingCooldownMs(cpu, context)).toBe(7.5 * 60_000 + 250);
    const unknown = huntingStatusError(answer(429, 'throttled'), request, NOW);
    expect(huntingCooldownMs(unknown, context)).toBe(7.5 * 60_000 + 250);
    const calls = huntingStatusError(answer(429, { error: { code: 'TooManyRequests', message: 'Too many requests: calls per minute' } }), request, NOW);
    expect(huntingCooldownMs(calls, context)).toBe(60_250);
    const told = huntingStatusError(answer(429, { error: { code: 'TooManyRequests', message: 'CPU' } }, { 'retry-after': '30' }), request, NOW);
    expect(huntingCooldownMs(told, context)).toBe(30_250);
  });

  it('maps 5xx with an empty message to HUNTING_UNAVAILABLE and 403 to HUNTING_REFUSED naming the permission', () => {
    const empty = huntingStatusError(answer(504, { error: { code: 'UnknownError', message: '' } }), request, NOW);
    expect([empty.code, empty.retryable, empty.statusCode]).toEqual(['HUNTING_UNAVAILABLE', true, 504]);
    const forbidden = huntingStatusError(answer(403, { error: { code: 'Forbidden', message: 'Missing role' } }), request, NOW);
    expect([forbidden.code, forbidden.retryable]).toEqual(['HUNTING_REFUSED', false]);
    expect(forbidden.message).toContain('ThreatHunting.Read.All');
  });
});
