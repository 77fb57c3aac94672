import type { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Redis } from '../redis/connection.js';
import type { KeySpace } from '../redis/keys.js';
import {
  API_CALLS,
  bucketIndex,
  CACHE_REFRESHES,
  histogramField,
  HUNTING_CALLS,
  HUNTING_IPS,
  JOB_LATENCY,
  labelField,
  LIMITER_WAIT_SECONDS,
  LIMITER_WAITS,
  SINK_DELIVERIES,
} from './shared-metric-definitions.js';

/** `seen` / `not_seen` for answers, the error code for failures (MDE_THROTTLED, MDE_TIMEOUT…). */
type ApiCallOutcome = 'seen' | 'not_seen' | ErrorCode;
/** `slept`: waited for budget inside the worker slot; `deferred`: gave up and the job goes to delayed. */
type LimiterWaitKind = 'slept' | 'deferred';
type DeliveryOutcome = 'delivered' | ErrorCode;
type JobResultKind = 'complete' | 'partial';

/**
 * What the pipeline reports, from whichever process it runs in. Calls are synchronous and cheap:
 * counts are added up in memory and written to Redis in one transaction per flush interval.
 */
interface PipelineMetrics {
  /** After every Defender call (enricher). */
  apiCall(tenant: string, outcome: ApiCallOutcome): void;
  /** After every Graph advanced hunting query (hunting route): how many IPs it asked, and how it ended. */
  huntingCall(tenant: string, ips: number, outcome: 'ok' | ErrorCode): void;
  /** When the limiter refused a call: `waitMs` slept, or the delay a deferred job gets. */
  limiterWait(tenant: string, waitMs: number, kind: LimiterWaitKind): void;
  /** After each refresh-ahead attempt that reached the spare budget: `refreshed`, `no-budget`, or the error code. */
  cacheRefresh(tenant: string, outcome: string): void;
  /** After each delivery attempt of a result to one sink (`webhook`, `splunk`, `sentinel`, `callback`). */
  delivery(tenant: string, sink: string, outcome: DeliveryOutcome): void;
  /** After every cache lookup: into the tenant's cache counters that `status` and /metrics read. */
  cacheLookups(tenant: string, counts: { readonly hits: number; readonly misses: number; readonly corrupt: number }): void;
  /** When a job's result has reached every sink: `latencyMs` from enqueue to now. */
  jobCompleted(latencyMs: number, result: JobResultKind): void;
}

export interface SharedMetrics extends PipelineMetrics {
  /** Writes the counts gathered since the last flush. Never rejects: failed counts are kept for the next one. */
  flush(): Promise<void>;
  /** Stops the timer and flushes once more, waiting at most `timeoutMs` for Redis. */
  close(timeoutMs?: number): Promise<void>;
}

export interface SharedMetricsOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  /** METRICS_FLUSH_MS. */
  readonly flushMs: number;
  readonly logger?: Logger;
}

/** Counts waiting to be written: Redis key → hash field → amount. */
type Pending = Map<string, Map<string, number>>;

function add(pending: Pending, key: string, field: string, amount: number): void {
  let fields = pending.get(key);
  if (!fields) {
    fields = new Map();
    pending.set(key, fields);
  }
  fields.set(field, (fields.get(field) ?? 0) + amount);
}

/**
 * Shared counters in Redis (see shared-metric-definitions.ts for why). A process that dies loses at
 * most one flush interval of counts; Redis being down only delays them.
 */
export function createSharedMetrics(options: SharedMetricsOptions): SharedMetrics {
  const { redis, keys, logger } = options;
  let pending: Pending = new Map();
  let flushing: Promise<void> | undefined;
  let failing = false;

  const count = (name: string, labels: readonly string[], amount: number): void => add(pending, keys.metric(name), labelField(labels), amount);

  async function write(batch: Pending): Promise<void> {
    const transaction = redis.multi();
    for (const [key, fields] of batch) {
      // One command for counts and sums alike: HINCRBY would refuse a field that once got a fraction.
      for (const [field, amount] of fields) transaction.hincrbyfloat(key, field, amount);
    }
    await transaction.exec();
  }

  async function flushOnce(): Promise<void> {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await write(batch);
      if (failing) logger?.info('metrics reach Redis again');
      failing = false;
    } catch (error) {
      for (const [key, fields] of batch) for (const [field, amount] of fields) add(pending, key, field, amount);
      if (!failing) logger?.warn({ reason: (error as Error).message }, 'cannot write metrics to Redis; keeping the counts for the next flush');
      failing = true;
    }
  }

  function flush(): Promise<void> {
    flushing ??= flushOnce().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  const timer = setInterval(() => void flush(), options.flushMs);
  timer.unref();

  return {
    apiCall(tenant, outcome) {
      count(API_CALLS.name, [tenant, outcome], 1);
    },
    huntingCall(tenant, ips, outcome) {
      count(HUNTING_CALLS.name, [tenant, outcome], 1);
      count(HUNTING_IPS.name, [tenant], ips);
    },
    limiterWait(tenant, waitMs, kind) {
      count(LIMITER_WAITS.name, [tenant, kind], 1);
      count(LIMITER_WAIT_SECONDS.name, [tenant, kind], Math.max(0, waitMs) / 1000);
    },
    cacheRefresh(tenant, outcome) {
      count(CACHE_REFRESHES.name, [tenant, outcome], 1);
    },
    cacheLookups(tenant, counts) {
      const key = keys.cacheStats(tenant);
      if (counts.hits > 0) add(pending, key, 'hits', counts.hits);
      if (counts.misses > 0) add(pending, key, 'misses', counts.misses);
      if (counts.corrupt > 0) add(pending, key, 'corrupt', counts.corrupt);
    },
    delivery(tenant, sink, outcome) {
      count(SINK_DELIVERIES.name, [tenant, sink, outcome], 1);
    },
    jobCompleted(latencyMs, result) {
      const seconds = Math.max(0, latencyMs) / 1000;
      const key = keys.metric(JOB_LATENCY.name);
      add(pending, key, histogramField([result], `b${bucketIndex(JOB_LATENCY.buckets, seconds)}`), 1);
      add(pending, key, histogramField([result], 'sum'), seconds);
    },
    flush,
    async close(timeoutMs = 2_000) {
      clearInterval(timer);
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        (async () => {
          await flushing;
          await flush();
        })(),
        new Promise<void>((resolve) => {
          timeout = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timeout);
    },
  };
}
