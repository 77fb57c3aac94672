import { toIpenrichError, type IpenrichError } from '../errors.js';
import type { IpEnrichment } from '../enrich/enricher.js';
import type { ExtractionResult } from '../extract/index.js';
import { describeAlert } from '../extract/index.js';
import type { Logger } from '../log.js';
import type { JobAttempt, JobOutcome, WritesWithCompletion } from '../queue/job-outcome.js';
import type { AlertDescription, AlertJobData } from '../queue/job.js';
import { buildResult } from '../result/build.js';
import type { AlertResult } from '../result/schema.js';
import type { VerdictPolicy } from '../result/verdict.js';
import { decideForDeliveries, decideForError, type JobDecision, type SinkRetryPolicy } from './decide.js';
import { deliverToDestinations, type DeliveryReport } from './deliver.js';
import { yieldSlotWhenWanted } from './slot-yield.js';
import type { Destination, JourneyMetrics, JobRecord, ResultStore, SinkHealthRecorder } from './ports.js';

/** An alert's enrichment begun (`JourneyDeps.beginEnrich`). */
interface StartedEnrichment {
  /** Every IP was answered from this process's copy of the cache: finishing spends no budget. */
  readonly answeredInProcess: boolean;
  finish(options: { deadline: number; signal?: AbortSignal }): Promise<readonly IpEnrichment[]>;
}

/** The alert's IPs extracted and their cache lookup sent, or why that failed. */
type BegunJourney =
  | { readonly kind: 'begun'; readonly extraction: Pick<ExtractionResult, 'ips' | 'cidrs' | 'truncated'>; readonly lookBackHours: number; readonly enrichment: StartedEnrichment | null }
  | { readonly kind: 'failed'; readonly error: IpenrichError };

/**
 * The journey of one alert, top to bottom. Before it: ① the ingress or the CLI described the alert
 * once and queued it (intake.ts); the queue hands the job here (src/queue is only transport).
 *
 *   ② extract the IPs → ③ enrich them (cache → coalesce → limiter → Defender) → ④ build the result
 *   → keep it → ⑤ deliver it to every destination that has not accepted it yet → decide.
 *
 * A result is built once and kept (ResultStore), so every retry re-sends the same result, only to
 * destinations that have not accepted it yet.
 */
export interface JourneyDeps {
  readonly extract: (alert: unknown) => Pick<ExtractionResult, 'ips' | 'cidrs' | 'truncated'>;
  /**
   * Sends the cache lookup for the IPs at once, and nothing more; `finish` enriches them (cached
   * answers, misses under the budget). Sent in the same tick as the job record's read, both share
   * one socket write and one round trip.
   */
  readonly beginEnrich: (tenant: string, ips: string[], lookBackHours: number) => StartedEnrichment;
  readonly lookBackHoursFor: (tenant: string) => number;
  readonly policy: VerdictPolicy;
  readonly results: ResultStore;
  readonly destinationsFor: (job: AlertJobData) => readonly Destination[];
  readonly health?: SinkHealthRecorder;
  readonly metrics?: JourneyMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** Whether another job waits for a worker slot (src/queue/slot-demand.ts): a slow delivery then gives its slot up. */
  readonly slotWanted?: () => Promise<boolean>;
}

export interface JourneyOptions {
  /** Longest wait for budget inside a worker slot; beyond it the alert is deferred. */
  readonly budgetWaitMs: number;
  /** After this long since the alert was queued, deliver what is known (the rest marked deferred). */
  readonly maxDeferMs: number;
  readonly sinkRetry: SinkRetryPolicy;
  /** SINK_SLOT_YIELD_MS: how long deliveries keep the slot while other jobs want it (0: until they end). */
  readonly sinkSlotYieldMs?: number;
}

export async function processAlert(job: AlertJobData, attempt: JobAttempt, deps: JourneyDeps, options: JourneyOptions): Promise<JobOutcome<AlertResult>> {
  const started = deps.now();
  const record = deps.results.forJob(attempt.jobId);
  const speculative = attempt.resultMayBeStored ? undefined : beginJourney(job, deps);
  if (speculative !== undefined && spendsNothing(speculative)) {
    // Nothing to spend, so no read of the record first: the result is kept unless the record holds
    // one (an alert sent again after its job was removed), and the one kept is delivered. A hot
    // alert costs one round trip before its deliveries instead of two.
    const built = await enrichAlert(job, attempt, speculative, started, deps, options);
    if (built.kind !== 'done') return built;
    return await deliver({ result: built.result, kept: false }, job, attempt, record, deps, options);
  }
  // Otherwise on a first attempt both reads leave in this tick, in one socket write: the cache lookup
  // costs no extra round trip, and spends and counts nothing if the record holds a result after all.
  // A retry most likely finds its result: the record first.
  let result = await record.loadResult();
  if (!result) {
    const begun = speculative ?? beginJourney(job, deps);
    const built = await enrichAlert(job, attempt, begun, started, deps, options);
    if (built.kind !== 'done') return built;
    result = built.result;
    await record.saveResult(result);
  }
  return await deliver({ result, kept: true }, job, attempt, record, deps, options);
}

/** No IP to enrich, or every one answered in this process: enriching costs no budget and no round trip. */
function spendsNothing(begun: BegunJourney): boolean {
  return begun.kind === 'begun' && (begun.enrichment === null || begun.enrichment.answeredInProcess);
}

/** ② and the start of ③: the IPs, and their cache lookup sent. */
function beginJourney(job: AlertJobData, deps: JourneyDeps): BegunJourney {
  try {
    const extraction = deps.extract(job.alert);
    const lookBackHours = deps.lookBackHoursFor(job.tenant);
    const toEnrich = extraction.ips.filter((ip) => ip.enrich).map((ip) => ip.ip);
    const enrichment = toEnrich.length === 0 ? null : deps.beginEnrich(job.tenant, toEnrich, lookBackHours);
    return { kind: 'begun', extraction, lookBackHours, enrichment };
  } catch (thrown) {
    return { kind: 'failed', error: toIpenrichError(thrown) };
  }
}

/** ③ → ④: the result, or why the job has to wait, retry or fail. */
async function enrichAlert(
  job: AlertJobData,
  attempt: JobAttempt,
  begun: BegunJourney,
  started: number,
  deps: JourneyDeps,
  options: JourneyOptions,
): Promise<JobOutcome<AlertResult>> {
  if (begun.kind === 'failed') return decideForError(begun.error, deps.now());
  const { extraction, lookBackHours, enrichment } = begun;
  try {
    const outcomes = enrichment ? await enrichment.finish({ deadline: started + options.budgetWaitMs }) : [];

    const deferred = outcomes.filter((outcome) => outcome.status === 'deferred');
    const partialAllowed = started - attempt.queuedAt >= options.maxDeferMs;
    if (deferred.length > 0 && !partialAllowed) {
      const earliest = Math.min(...deferred.map((outcome) => outcome.retryAt ?? deps.now() + 1_000));
      // A wake-up slot may lie beyond the alert's patience: come back then and deliver what is known.
      const until = Math.min(earliest, attempt.queuedAt + options.maxDeferMs);
      return { kind: 'delay', until, reason: `BUDGET_DEFERRED: ${deferred.length} IP(s) wait for API budget`, forBudget: true };
    }
    for (const outcome of outcomes) {
      // A configuration problem (auth, permission) fails the alert at once; a transient one is retried
      // until the last attempt, which delivers what is known.
      if (outcome.status === 'error' && outcome.error && (!outcome.error.retryable || !attempt.finalAttempt)) {
        return decideForError(outcome.error, deps.now());
      }
    }
    const meta: AlertDescription = job.meta ?? { ...describeAlert(job.alert), revision: null };
    const result = buildResult({
      facts: {
        alertId: job.alertId,
        tenant: job.tenant,
        contentDigest: job.digest ?? null,
        replaces: job.replaces ?? null,
        format: job.format,
        title: meta.title,
        severity: meta.severity,
        incidentArmId: meta.incidentArmId,
        alertTime: meta.time,
        receivedAt: job.receivedAt,
      },
      found: extraction.ips,
      cidrs: extraction.cidrs,
      truncated: extraction.truncated,
      outcomes: new Map(outcomes.map((outcome) => [outcome.ip, outcome])),
      lookBackHours,
      policy: deps.policy,
      now: deps.now(),
    });
    return { kind: 'done', result };
  } catch (thrown) {
    return decideForError(toIpenrichError(thrown), deps.now());
  }
}

/**
 * ⑤ → decide: done once every destination has the result. A result not kept yet is kept first, and
 * delivered as the record keeps it; with no destination, it is kept with the job's completion. The
 * marks of a delivery that every destination accepted go with the completion too.
 */
async function deliver(
  built: { readonly result: AlertResult; readonly kept: boolean },
  job: AlertJobData,
  attempt: JobAttempt,
  record: JobRecord,
  deps: JourneyDeps,
  options: JourneyOptions,
): Promise<JobOutcome<AlertResult>> {
  let destinations: readonly Destination[];
  try {
    destinations = deps.destinationsFor(job);
  } catch (thrown) {
    return decideForError(toIpenrichError(thrown), deps.now());
  }
  let result = built.result;
  let keep: WritesWithCompletion | undefined;
  if (!built.kept && destinations.length === 0) keep = record.keepResultWithCompletion(result);
  else if (!built.kept) result = await record.keepResult(result);
  // Its timer and signal cost each job something: none when there is nothing to wait for.
  const slot = deps.slotWanted && options.sinkSlotYieldMs && destinations.length > 0 ? yieldSlotWhenWanted(deps.slotWanted, options.sinkSlotYieldMs) : undefined;
  let report: DeliveryReport;
  try {
    report = await deliverToDestinations(result, destinations, record, {
      jobId: attempt.jobId,
      tenant: job.tenant,
      now: deps.now,
      ...(deps.health === undefined ? {} : { health: deps.health }),
      ...(slot === undefined ? {} : { signal: slot.signal }),
    });
  } finally {
    slot?.stop();
  }
  for (const name of report.delivered) deps.metrics?.delivery(job.tenant, name, 'delivered');
  for (const failure of report.failed) deps.metrics?.delivery(job.tenant, failure.name, failure.error.code);
  const decision: JobDecision | null = decideForDeliveries(report.failed, deps.now(), options.sinkRetry);
  if (decision) {
    // What failed and why, in the line itself: an operator reading logs should not need `status` to see the code.
    const failed = report.failed.map((f) => ({ sink: f.name, code: f.error.code, message: f.error.message, failures: f.state.failures }));
    const next = decision.kind === 'delay' ? { retryAt: new Date(decision.until).toISOString() } : { outcome: decision.kind };
    deps.logger.warn({ jobId: attempt.jobId, alertId: job.alertId, tenant: job.tenant, delivered: report.delivered, failed, ...next }, 'some deliveries failed');
    return decision;
  }
  for (const [name, notes] of Object.entries(report.notes)) deps.logger.warn({ jobId: attempt.jobId, sink: name, notes }, 'delivered with reservations');
  deps.logger.info({ jobId: attempt.jobId, alertId: job.alertId, tenant: job.tenant, summary: result.summary.text, delivered: report.delivered }, 'alert enriched');
  deps.metrics?.jobCompleted(deps.now() - attempt.queuedAt, result.partial ? 'partial' : 'complete');
  const writes = keep ?? (report.held.length > 0 ? record.markDeliveredWithCompletion(report.held) : undefined);
  // A failure of these writes is reported by the worker that sends them (src/queue/completing-worker.ts).
  return writes === undefined ? { kind: 'done', result } : { kind: 'done', result, withCompletion: writes };
}

