import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import type { SinkHealthRecorder, SinkOutcome } from '../pipeline/ports.js';
import { parseNotes } from './notes-field.js';

export interface SinkHealth {
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly lastError: string | null;
  /** Failed deliveries of this tenant to this sink since its last success (all workers). */
  readonly failuresSinceSuccess: number;
  /** The last reservations a destination accepted a result with (empty when none yet), and when. */
  readonly lastNotes: readonly string[];
  readonly lastNotesAt: string | null;
}

/**
 * A run of successes is written at most this often per (tenant, sink) and process: at one write per
 * delivery it was a command per alert. A failure, or a success with notes, is always written at once.
 */
export const SUCCESS_WRITE_EVERY_MS = 1_000;

/**
 * The last outcome per tenant and sink, shared by all workers through Redis, so `status` can tell an
 * operator that fabrikam's Splunk has been failing for ten minutes without reading logs. One hash
 * per tenant (its sinks are its own: another tenant's success says nothing about them), a field per
 * sink and fact, updated atomically. `lastSuccessAt` may lag by up to SUCCESS_WRITE_EVERY_MS.
 */
export class SinkHealthBoard implements SinkHealthRecorder {
  /** Per `tenant:sink`, when this process last wrote a plain success (absent after a failure). */
  private readonly lastSuccessWritten = new Map<string, number>();

  constructor(private readonly redis: Redis, private readonly keys: KeySpace) {}

  async record(tenant: string, sink: string, outcome: SinkOutcome, at: number): Promise<void> {
    // Unambiguous: tenant names hold no ':' (src/config/load.ts).
    const throttled = `${tenant}:${sink}`;
    // Notes stay until newer ones: some are said once for a lasting condition (SPLUNK_ACK_OFF).
    const notes = outcome.ok ? (outcome.notes ?? []) : [];
    if (outcome.ok && notes.length === 0) {
      // Most calls are a success within a second of the last one written: they stop here, before any work.
      const last = this.lastSuccessWritten.get(throttled);
      if (last !== undefined && at >= last && at - last < SUCCESS_WRITE_EVERY_MS) return;
    }
    const key = this.keys.sinkHealth(tenant);
    const when = new Date(at).toISOString();
    // A success is one HSET, atomic by itself: no MULTI, which costs far more client CPU than the
    // command on a connection that also carries BullMQ's scripts (ioredis copies them per MULTI).
    if (outcome.ok) {
      this.lastSuccessWritten.set(throttled, at);
      const noted = notes.length > 0 ? [`${sink}:lastNotes`, JSON.stringify(notes), `${sink}:lastNotesAt`, when] : [];
      await this.redis.hset(key, `${sink}:lastSuccessAt`, when, `${sink}:failures`, '0', ...noted);
      return;
    }
    this.lastSuccessWritten.delete(throttled);
    await this.redis.multi().hset(key, `${sink}:lastFailureAt`, when, `${sink}:lastError`, outcome.error).hincrby(key, `${sink}:failures`, 1).exec();
  }

  /** One tenant's sinks that have a recorded outcome, by sink name. */
  async read(tenant: string): Promise<Record<string, SinkHealth>> {
    const raw = await this.redis.hgetall(this.keys.sinkHealth(tenant));
    const sinks = new Set(Object.keys(raw).map((field) => field.slice(0, field.lastIndexOf(':'))));
    const out: Record<string, SinkHealth> = {};
    for (const sink of [...sinks].sort()) {
      out[sink] = {
        lastSuccessAt: raw[`${sink}:lastSuccessAt`] ?? null,
        lastFailureAt: raw[`${sink}:lastFailureAt`] ?? null,
        lastError: raw[`${sink}:lastError`] ?? null,
        failuresSinceSuccess: Number(raw[`${sink}:failures`] ?? 0),
        lastNotes: parseNotes(raw[`${sink}:lastNotes`]),
        lastNotesAt: raw[`${sink}:lastNotesAt`] ?? null,
      };
    }
    return out;
  }
}
