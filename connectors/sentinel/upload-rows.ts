import { isAggregateLogsUploadError, type LogsIngestionClient } from '@azure/monitor-ingestion';
import { classifyAzureError, type AzureFailure } from './azure-error.js';
import type { EnrichmentRow } from './rows.js';

export interface RowFailure {
  readonly rows: readonly EnrichmentRow[];
  readonly failure: AzureFailure;
}

/**
 * Requests stay under this many bytes of JSON, brackets and commas included. The service limit is
 * "1 MB"; the SDK's own chunking counts only the records and can exceed 1,000,000 bytes by one
 * byte per record, so rows are grouped here, well under it, one SDK call per group.
 */
const MAX_REQUEST_BYTES = 990_000;

export function chunkRows(rows: readonly EnrichmentRow[], maxBytes = MAX_REQUEST_BYTES): EnrichmentRow[][] {
  const chunks: EnrichmentRow[][] = [];
  let current: EnrichmentRow[] = [];
  let size = 2;
  for (const row of rows) {
    const bytes = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 2;
    }
    current.push(row);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function uploadChunk(
  client: LogsIngestionClient,
  target: { readonly dcrImmutableId: string; readonly stream: string },
  rows: EnrichmentRow[],
  signal: AbortSignal | undefined,
  now: () => number,
): Promise<RowFailure[]> {
  try {
    await client.upload(target.dcrImmutableId, target.stream, rows, signal === undefined ? {} : { abortSignal: signal });
    return [];
  } catch (error) {
    if (isAggregateLogsUploadError(error)) {
      return error.errors.map((failed) => ({
        rows: failed.failedLogs as unknown as EnrichmentRow[],
        failure: classifyAzureError(failed.cause, now()),
      }));
    }
    // Not per chunk (an abort before sending, a token failure): every row of the group failed alike.
    return [{ rows, failure: classifyAzureError(error, now()) }];
  }
}

/**
 * Uploads rows through the Logs Ingestion API (gzipped JSON arrays, one request per chunk, up to
 * `maxConcurrency` at once) and reports which rows failed: a failed chunk does not fail the others.
 * https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview
 */
export async function uploadRows(
  client: LogsIngestionClient,
  target: { readonly dcrImmutableId: string; readonly stream: string; readonly maxConcurrency: number },
  rows: readonly EnrichmentRow[],
  signal: AbortSignal | undefined,
  now: () => number,
): Promise<RowFailure[]> {
  const queue = chunkRows(rows);
  const failures: RowFailure[] = [];
  const workers = Array.from({ length: Math.min(target.maxConcurrency, queue.length) }, async () => {
    for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
      failures.push(...(await uploadChunk(client, target, chunk, signal, now)));
    }
  });
  await Promise.all(workers);
  return failures;
}
