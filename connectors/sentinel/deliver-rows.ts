import type { LogsIngestionClient } from '@azure/monitor-ingestion';
import { IpenrichError } from '../../src/errors.js';
import { abortableSleep, inProcessRetryDelay } from '../../src/http/retry-policy.js';
import type { DeliveryProgress } from '../../src/sinks/port.js';
import type { SentinelOptions } from './options.js';
import { rowPart, type EnrichmentRow } from './rows.js';
import { uploadRows, type RowFailure } from './upload-rows.js';

/** How many failed rows an error lists by IP; the count is always complete. */
const LISTED_ROWS = 50;

function rowsError(failures: readonly RowFailure[], total: number, permanent: boolean): IpenrichError {
  const failedIps = failures.flatMap((f) => f.rows.map((row) => row.IpAddress));
  const reasons = failures.map((f) => ({
    rows: f.rows.length,
    ...(f.failure.statusCode === undefined ? {} : { statusCode: f.failure.statusCode }),
    ...(f.failure.code === undefined ? {} : { code: f.failure.code }),
    message: f.failure.message,
  }));
  const first = failures.find((f) => f.failure.retryable !== permanent) ?? failures[0];
  const retryAfters = failures.map((f) => f.failure.retryAfterMs).filter((ms): ms is number => ms !== undefined);
  const retryAfterMs = retryAfters.length > 0 ? Math.max(...retryAfters) : undefined;
  return new IpenrichError(
    permanent ? 'SINK_REJECTED' : 'SINK_UNAVAILABLE',
    `Logs Ingestion failed for ${failedIps.length} of ${total} rows: ${first?.failure.message ?? 'unknown error'}`,
    {
      ...(first?.failure.statusCode === undefined ? {} : { statusCode: first.failure.statusCode }),
      ...(permanent || retryAfterMs === undefined ? {} : { retryAfterMs }),
      details: {
        failedRows: failedIps.length,
        failedIps: failedIps.slice(0, LISTED_ROWS),
        deliveredRows: total - failedIps.length,
        reasons,
        ...(failures.some((f) => f.failure.aborted) ? { aborted: true } : {}),
      },
    },
  );
}

/** The client in use, and a way to replace it with one that takes a fresh token. */
export interface IngestionClientHolder {
  current(): LogsIngestionClient;
  renewToken(): void;
}

/**
 * Uploads the rows, then re-uploads only the rows of failed chunks while the failures are
 * temporary and the shared retry policy allows a short wait. Accepted rows are recorded in the
 * delivery progress at once, so a later retry of the job skips them too. The final error lists
 * the failed rows. Not src/http's retryInProcess: a 401 renews the token once without waiting.
 */

export async function deliverRows(
  ingestion: IngestionClientHolder,
  options: SentinelOptions,
  rows: readonly EnrichmentRow[],
  progress: DeliveryProgress | undefined,
  signal: AbortSignal | undefined,
  now: () => number,
): Promise<void> {
  let pending = rows;
  let renewed = false;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const failures = await uploadRows(ingestion.current(), options, pending, signal, now);
    const failed = new Set(failures.flatMap((f) => f.rows.map((row) => row.IpAddress)));
    const accepted = pending.filter((row) => !failed.has(row.IpAddress));
    if (accepted.length > 0) await progress?.markCompleted(accepted.map((row) => rowPart(row.IpAddress)));
    if (failures.length === 0) return;

    pending = pending.filter((row) => failed.has(row.IpAddress));
    // A 401 may be a revoked cached token: once per delivery, retry at once with a fresh one.
    if (!renewed && failures.every((f) => f.failure.statusCode === 401)) {
      renewed = true;
      ingestion.renewToken();
      continue;
    }
    const permanent = failures.some((f) => !f.failure.retryable);
    const error = rowsError(failures, rows.length, permanent);
    if (permanent || signal?.aborted) throw error;
    const waitMs = inProcessRetryDelay(attempt, error.retryAfterMs, {
      baseMs: options.backoffBaseMs,
      attempts: options.attempts,
      maxInProcessWaitMs: options.maxInProcessWaitMs,
    });
    if (waitMs === undefined) throw error;
    try {
      await abortableSleep(waitMs, signal);
    } catch {
      throw rowsError(failures.map((f) => ({ ...f, failure: { ...f.failure, aborted: true } })), rows.length, false);
    }
  }
}
