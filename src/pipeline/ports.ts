import type { ErrorCode } from '../errors.js';
import type { AlertResult } from '../result/schema.js';
import type { WritesWithCompletion } from '../queue/job-outcome.js';
import type { DeliveryProgress, Sink } from '../sinks/port.js';

/**
 * What the journey needs from the world besides its steps, as interfaces: the adapters live in
 * src/state (Redis) and are wired by src/composition, so the journey reads without ioredis or HTTP.
 */

/** One sink's delivery record for one job. */
export interface SinkState {
  readonly delivered: boolean;
  /** Failed delivery attempts so far. */
  readonly failures: number;
  /** Epoch ms of the first failed attempt, to bound how long a down sink is retried. */
  readonly firstFailureAt: number | null;
  /** What the sink said when it accepted the result with reservations (see DeliveryReceipt). */
  readonly notes: readonly string[];
}

/** A destination that accepted the job's result, when, and with what reservations. */
export interface DeliveredMark {
  readonly name: string;
  readonly at: number;
  readonly notes: readonly string[];
}

/** Per-sink delivery state of one job: what was delivered where, and how often a sink failed. */
export interface DeliveryLedger {
  sink(name: string): Promise<SinkState>;
  markDelivered(name: string, at: number, notes?: readonly string[]): Promise<void>;
  /** The same marks, written with the job's completion (src/queue/completing-worker.ts). */
  markDeliveredWithCompletion(marks: readonly DeliveredMark[]): WritesWithCompletion;
  /** `error` is the failure as `code: message`, kept for the API while the job waits to try again. */
  markFailed(name: string, at: number, error: string): Promise<SinkState>;
  /** The parts one sink already had accepted for this job (Sentinel rows, Splunk batches …). */
  progress(name: string): DeliveryProgress;
}

/**
 * Everything kept for one job between attempts: the result, stored once it is built so every retry
 * re-sends the same result (same content, same ids), and its delivery ledger.
 */
export interface JobRecord extends DeliveryLedger {
  loadResult(): Promise<AlertResult | null>;
  saveResult(result: AlertResult): Promise<void>;
  /** Stores the result unless the record holds one already; returns the one it keeps, which is the one to deliver. */
  keepResult(result: AlertResult): Promise<AlertResult>;
  /** `keepResult` with the job's completion, when there is nothing to deliver and so no answer to wait for. */
  keepResultWithCompletion(result: AlertResult): WritesWithCompletion;
}

export interface ResultStore {
  forJob(jobId: string): JobRecord;
}

/** How one delivery to one destination ended. */
export type SinkOutcome = { readonly ok: true; readonly notes?: readonly string[] } | { readonly ok: false; readonly error: string };

/** The last outcome per (tenant, sink) across workers, for `status`: a tenant's sinks are its own. */
export interface SinkHealthRecorder {
  record(tenant: string, sink: string, outcome: SinkOutcome, at: number): Promise<void>;
}

/** One destination of one job: a configured sink, or the per-alert callback through the webhook sink. */
export interface Destination {
  /** Unique per job: `webhook`, `splunk`, `sentinel`, `callback`. */
  readonly name: string;
  readonly sink: Sink;
  readonly callbackUrl?: string;
}

/** Counters the journey reports (src/metrics implements them, shared across processes). */
export interface JourneyMetrics {
  delivery(tenant: string, sink: string, outcome: 'delivered' | ErrorCode): void;
  jobCompleted(latencyMs: number, kind: 'complete' | 'partial'): void;
}

/** The latest revision (content digest) seen of each alert identity. */
export interface AlertRevisions {
  /** Records `digest` as the identity's latest and returns the one before (null for a first). */
  swap(identityKey: string, digest: string): Promise<string | null>;
}
