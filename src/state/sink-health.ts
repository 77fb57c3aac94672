import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import type { SinkHealthRecorder } from '../pipeline/ports.js';
import { parseNotes } from './notes-field.js';

export interface SinkHealth {
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly lastError: string | null;
  /** Failed deliveries since the last success (all workers). */
  readonly failuresSinceSuccess: number;
  /** The last reservations a destination accepted a result with (empty when none yet), and when. */
  readonly lastNotes: readonly string[];
  readonly lastNotesAt: string | null;
}

/**
 * A run of successes is written at most this often per sink and process: at one write per delivery
 * it was a command per alert. A failure, or a success with notes, is always written at once.
 */
export const SUCCESS_WRITE_EVERY_MS = 1_000;

/**
 * The last outcome per sink, shared by all workers through Redis (one hash, field per sink and
 * fact, updated atomically), so `status` can tell an operator that Splunk has been failing for ten
 * minutes without reading logs. `lastSuccessAt` may lag by up to SUCCESS_WRITE_EVERY_MS.
 */
export class SinkHealthBoard implements SinkHealthRecorder {
  private readonly key: string;
  /** Per sink, when this process last wrote a plain success (absent after a failure). */
  private readonly lastSuccessWritten = new Map<string, number>();

  constructor(private readonly redis: Redis, keys: KeySpace) {
    this.key = keys.sinkHealth();
  }

  async record(sink: string, outcome: { ok: true; notes?: readonly string[] } | { ok: false; error: string }, at: number): Promise<void> {
    const when = new Date(at).toISOString();
    // A success is one HSET, atomic by itself: no MULTI, which costs far more client CPU than the
    // command on a connection that also carries BullMQ's scripts (ioredis copies them per MULTI).
    if (outcome.ok) {
      // Notes stay until newer ones: some are said once for a lasting condition (SPLUNK_ACK_OFF).
      const notes = outcome.notes ?? [];
      const last = this.lastSuccessWritten.get(sink);
      if (notes.length === 0 && last !== undefined && at >= last && at - last < SUCCESS_WRITE_EVERY_MS) return;
      this.lastSuccessWritten.set(sink, at);
      const noted = notes.length > 0 ? [`${sink}:lastNotes`, JSON.stringify(notes), `${sink}:lastNotesAt`, when] : [];
      await this.redis.hset(this.key, `${sink}:lastSuccessAt`, when, `${sink}:failures`, '0', ...noted);
      return;
    }
    this.lastSuccessWritten.delete(sink);
    await this.redis.multi().hset(this.key, `${sink}:lastFailureAt`, when, `${sink}:lastError`, outcome.error).hincrby(this.key, `${sink}:failures`, 1).exec();
  }

  async read(): Promise<Record<string, SinkHealth>> {
    const raw = await this.redis.hgetall(this.key);
    const sinks = new Set(Object.keys(raw).map((field) => field.slice(0, field.lastIndexOf(':'))));
    const out: Record<string, SinkHealth> = {};
    for (const sink of sinks) {
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

