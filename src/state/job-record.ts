import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import { redisScripts, type RedisScripts } from '../redis/scripts/redis-scripts.js';
import { alertResultSchema, type AlertResult } from '../result/schema.js';
import type { DeliveredMark, JobRecord, ResultStore, SinkState } from '../pipeline/ports.js';
import type { WritesWithCompletion } from '../queue/job-outcome.js';
import type { DeliveryProgress } from '../sinks/port.js';
import { parseNotes } from './notes-field.js';

/** How long delivery state outlives its job: longer than any retry schedule. */
const STATE_TTL_S = 8 * 86_400;

/** What the record keeps per sink, each in a field `<fact>:<sink>` of the job's hash: a SinkState, and the last error for the API. */
const STATE_FACTS = ['delivered', 'failures', 'first-failure', 'notes'] as const;
type SinkFact = (typeof STATE_FACTS)[number] | 'last-error';

const fieldOf = (fact: SinkFact, sink: string): string => `${fact}:${sink}`;

/** The fields that say a sink accepted the job's result, when, and with what reservations. */
function deliveredFields(name: string, at: number, notes: readonly string[]): string[] {
  return [fieldOf('delivered', name), String(at), ...(notes.length > 0 ? [fieldOf('notes', name), JSON.stringify(notes)] : [])];
}

/** One sink's state as the job's hash (or the part of it read) holds it. */
function sinkStateIn(hash: Readonly<Record<string, string>>, sink: string): SinkState {
  const firstFailureAt = hash[fieldOf('first-failure', sink)];
  return {
    delivered: hash[fieldOf('delivered', sink)] !== undefined,
    failures: Number(hash[fieldOf('failures', sink)] ?? 0),
    firstFailureAt: firstFailureAt === undefined ? null : Number(firstFailureAt),
    notes: parseNotes(hash[fieldOf('notes', sink)] ?? null),
  };
}

/**
 * A job's record in Redis: one hash per job with the result and every sink's state, plus a set per
 * sink of the parts it accepted. The hash outlives the job by STATE_TTL_S.
 */
export class RedisJobRecord implements JobRecord {
  private readonly key: string;
  private readonly scripts: RedisScripts;
  /** The hash as `loadResult` read it: lets `sink` answer without another round trip. */
  private snapshot: Record<string, string> | undefined;

  constructor(private readonly redis: Redis, private readonly keys: KeySpace, private readonly jobId: string) {
    this.key = keys.deliveries(jobId);
    this.scripts = redisScripts(redis);
  }

  /** The parts one sink already had accepted for this job (Sentinel rows, Splunk batches …). */
  progress(sink: string): DeliveryProgress {
    const key = this.keys.deliveryParts(this.jobId, sink);
    return {
      completed: async () => new Set(await this.redis.smembers(key)),
      markCompleted: async (parts) => {
        if (parts.length === 0) return;
        await this.redis.multi().sadd(key, ...parts).expire(key, STATE_TTL_S).exec();
      },
    };
  }

  /**
   * Reads the whole hash (result and every sink's state) in one round trip; `sink` then answers from it.
   * A record that holds a result is kept STATE_TTL_S from now: the job reading it (an alert sent
   * again on day 7, after its first job was removed) completes from it, and the API reads the
   * result here for as long as that job is kept.
   */
  async loadResult(): Promise<AlertResult | null> {
    this.snapshot = await this.redis.hgetall(this.key);
    if (this.snapshot.result === undefined) return null;
    await this.redis.expire(this.key, STATE_TTL_S);
    return parseStoredResult(this.snapshot.result);
  }

  async saveResult(result: AlertResult): Promise<void> {
    await this.scripts.ipenrichHsetExpire(this.key, STATE_TTL_S, 'result', JSON.stringify(result));
  }

  /**
   * Stores the result unless the record holds one, in one round trip; `sink` then answers from what
   * the record held. A stored result this version cannot read is replaced, as `loadResult` would.
   */
  async keepResult(result: AlertResult): Promise<AlertResult> {
    const held = await this.scripts.ipenrichKeepResult(this.key, STATE_TTL_S, JSON.stringify(result));
    this.snapshot = held === null ? {} : hashOf(held);
    if (held === null) return result;
    const stored = parseStoredResult(this.snapshot.result);
    if (stored !== null) return stored;
    await this.saveResult(result);
    return result;
  }

  /**
   * One sink's state as `loadResult` read it at the start of this attempt (the job's lock keeps
   * other workers from changing it meanwhile), or from Redis when nothing was loaded.
   */
  async sink(name: string): Promise<SinkState> {
    if (this.snapshot) return sinkStateIn(this.snapshot, name);
    const fields = STATE_FACTS.map((fact) => fieldOf(fact, name));
    const values = await this.redis.hmget(this.key, ...fields);
    return sinkStateIn(Object.fromEntries(fields.flatMap((field, i) => (values[i] == null ? [] : [[field, values[i]]]))), name);
  }

  async markDelivered(name: string, at: number, notes: readonly string[] = []): Promise<void> {
    await this.scripts.ipenrichHsetExpire(this.key, STATE_TTL_S, ...deliveredFields(name, at, notes));
  }

  /** `keepResult` without its answer, on the queue's connection with the job's completion (nothing is delivered after it). */
  keepResultWithCompletion(result: AlertResult): WritesWithCompletion {
    const json = JSON.stringify(result);
    return async (connection) => await redisScripts(connection).ipenrichKeepResult(this.key, STATE_TTL_S, json);
  }

  /** `markDelivered` for each destination, on the queue's connection with the job's completion. */
  markDeliveredWithCompletion(marks: readonly DeliveredMark[]): WritesWithCompletion {
    const fields = marks.flatMap((mark) => deliveredFields(mark.name, mark.at, mark.notes));
    return async (connection) => await redisScripts(connection).ipenrichHsetExpire(this.key, STATE_TTL_S, ...fields);
  }

  async markFailed(name: string, at: number, error: string): Promise<SinkState> {
    const results = await this.redis
      .multi()
      .hincrby(this.key, fieldOf('failures', name), 1)
      .hsetnx(this.key, fieldOf('first-failure', name), String(at))
      .hget(this.key, fieldOf('first-failure', name))
      // For the API while the job waits to try again (readPendingDeliveries).
      .hset(this.key, fieldOf('last-error', name), error)
      .expire(this.key, STATE_TTL_S)
      .exec();
    const failures = Number(results?.[0]?.[1] ?? 1);
    const first = Number(results?.[2]?.[1] ?? at);
    return { delivered: false, failures, firstFailureAt: first, notes: [] };
  }
}

/** A hash as a script returns it: field, value, field, value … (or a map, should Redis answer in RESP3). */
function hashOf(reply: readonly string[] | Readonly<Record<string, string>>): Record<string, string> {
  if (!Array.isArray(reply)) return { ...(reply as Readonly<Record<string, string>>) };
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) hash[String(reply[i])] = String(reply[i + 1]);
  return hash;
}

/** A result as a record keeps it; null for none, or for one this version cannot read. */
function parseStoredResult(text: string | null | undefined): AlertResult | null {
  if (text === undefined || text === null) return null;
  try {
    const parsed = alertResultSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * A job's result from its record, for readers outside the journey (the API, the demo). The record is
 * the one place a result is kept: the job itself completes without a return value, so Redis holds
 * and the worker sends each result once.
 */
export async function readStoredResult(redis: Redis, keys: KeySpace, jobId: string): Promise<AlertResult | null> {
  return parseStoredResult(await redis.hget(keys.deliveries(jobId), 'result'));
}

/** A destination that has not accepted a job's result yet and has failed at least once. */
export interface PendingDelivery {
  readonly sink: string;
  readonly failures: number;
  /** When its first failure for this job was (ISO). */
  readonly failingSince: string | null;
  readonly lastError: string | null;
}

/**
 * The destinations a job still waits for, from its record: what a playbook polling a delayed job
 * needs to tell a sink outage from a wait for budget.
 */
export async function readPendingDeliveries(redis: Redis, keys: KeySpace, jobId: string): Promise<PendingDelivery[]> {
  const record = await redis.hgetall(keys.deliveries(jobId));
  const failed = fieldOf('failures', '');
  return Object.keys(record)
    .filter((field) => field.startsWith(failed))
    .map((field) => field.slice(failed.length))
    .map((sink) => ({ sink, state: sinkStateIn(record, sink) }))
    .filter(({ state }) => !state.delivered)
    .sort((a, b) => (a.sink < b.sink ? -1 : a.sink > b.sink ? 1 : 0))
    .map(({ sink, state }) => {
      const since = state.firstFailureAt ?? NaN;
      return {
        sink,
        failures: state.failures,
        failingSince: Number.isFinite(since) && since > 0 ? new Date(since).toISOString() : null,
        lastError: record[fieldOf('last-error', sink)] ?? null,
      };
    });
}

/** Job records in Redis, for the journey's ResultStore port. */
export function createRedisResultStore(redis: Redis, keys: KeySpace): ResultStore {
  return { forJob: (jobId) => new RedisJobRecord(redis, keys, jobId) };
}
