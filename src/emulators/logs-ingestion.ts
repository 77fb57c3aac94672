import { acceptsToken } from './accepts-token.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startHttpsServer } from './https-server.js';
import { emulatorTls } from './tls.js';

/**
 * The Azure Monitor Logs Ingestion API (https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview,
 * limits: https://learn.microsoft.com/azure/azure-monitor/fundamentals/service-limits#logs-ingestion-api; 204 and the error
 * envelope: Azure/azure-rest-api-specs, specification/monitor/data-plane/ingestion/stable/2023-01-01/DataCollectionRules.json):
 * `POST /dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01` with a bearer token,
 * `Content-Type: application/json`, optional gzip, a JSON array body under 1 MB uncompressed (with
 * the SDK's chunking slack), `204` on success, the `{"error":{code,message}}` envelope plus
 * `x-ms-error-code` otherwise, and fault modes (429 with Retry-After, 5xx, down, slow, failing
 * only requests that hold chosen rows — a partial failure of a chunked upload).
 */
const LOGS_INGESTION_API_VERSION = '2023-01-01';
/**
 * 1 MB with the SDK's slack. @azure/monitor-ingestion closes a chunk when the sum of its records'
 * JSON sizes would reach 1,000,000, leaving out brackets and commas (dist/esm/utils/splitDataToChunksHelper.js),
 * so its requests reach about 1,000,600 bytes with 1 KB records, and one byte more per record with smaller ones.
 */
const MAX_RECORD_BYTES = 1_000_000;
const MAX_UNCOMPRESSED_BYTES = 1_000_600;
const MAX_COMPRESSED_BYTES = 1_048_576;

type LogsIngestionMode =
  | { readonly kind: 'normal' }
  | { readonly kind: 'status'; readonly status: number; readonly code?: string; readonly retryAfter?: string }
  /** Fail (with `status`) requests that contain a row for which `matches` is true; `times` counts failures. */
  | { readonly kind: 'fail-rows'; readonly matches: (row: Record<string, unknown>) => boolean; readonly status: number; readonly code?: string }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'down' };

interface ReceivedUpload {
  readonly dcr: string;
  readonly stream: string;
  readonly gzip: boolean;
  readonly bytes: number;
  readonly rows: readonly Record<string, unknown>[];
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface LogsIngestionEmulatorOptions {
  /** The bearer token a caller must present, or a check (e.g. tokens the Entra emulator issued). */
  readonly token: string | ((bearer: string) => boolean);
  /** Known DCR immutable ids and their streams; others get 404. */
  readonly rules: Readonly<Record<string, readonly string[]>>;
  readonly port?: number;
}

export interface LogsIngestionEmulator {
  readonly url: string;
  readonly uploads: readonly ReceivedUpload[];
  /** Every accepted row, in arrival order. */
  readonly rows: readonly Record<string, unknown>[];
  readonly counters: { requests: number; accepted: number; rejected: number };
  setMode(mode: LogsIngestionMode, times?: number): void;
  close(): Promise<void>;
}

export async function startLogsIngestionEmulator(options: LogsIngestionEmulatorOptions): Promise<LogsIngestionEmulator> {
  const tls = await emulatorTls();
  const uploads: ReceivedUpload[] = [];
  const rows: Record<string, unknown>[] = [];
  const counters = { requests: 0, accepted: 0, rejected: 0 };
  let mode: { mode: LogsIngestionMode; remaining: number } = { mode: { kind: 'normal' }, remaining: 0 };

  /** The mode for one request; `fail-rows` counts only the requests it fails. */
  function takeMode(): LogsIngestionMode {
    if (mode.remaining <= 0) return { kind: 'normal' };
    if (mode.mode.kind !== 'fail-rows') mode.remaining -= 1;
    return mode.mode;
  }

  function fail(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    counters.rejected += 1;
    res.writeHead(status, { 'content-type': 'application/json', 'x-ms-error-code': code, ...headers });
    res.end(JSON.stringify({ error: { code, message } }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of req) {
      received += (chunk as Buffer).length;
      if (received <= MAX_COMPRESSED_BYTES) chunks.push(chunk as Buffer);
    }
    counters.requests += 1;
    const current = takeMode();
    if (current.kind === 'down') return void res.destroy();
    if (current.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, current.delayMs));
    if (res.destroyed) return;

    // The SDK percent-encodes the hyphen (`api%2Dversion`): a URL parser decodes it, string matching would not.
    const url = new URL(req.url ?? '/', 'https://ingest.invalid');
    const match = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) return fail(res, 404, 'NotFound', 'Unknown route.');
    const dcr = decodeURIComponent(match[1] ?? '');
    const stream = decodeURIComponent(match[2] ?? '');

    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null) return fail(res, 400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    if (apiVersion !== LOGS_INGESTION_API_VERSION) return fail(res, 400, 'UnsupportedApiVersion', `The HTTP resource does not support the API version '${apiVersion}'.`);

    const auth = req.headers.authorization;
    if (auth === undefined || !/^Bearer\s+\S+$/.test(auth)) return fail(res, 401, 'InvalidAuthenticationToken', 'A bearer token is required.');
    if (!acceptsToken(options.token, auth.replace(/^Bearer\s+/, ''))) return fail(res, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');

    const streams = options.rules[dcr];
    if (streams === undefined) return fail(res, 404, 'InvalidDataCollectionRule', `Data collection rule with immutable Id '${dcr}' not found.`);
    if (!streams.includes(stream)) return fail(res, 400, 'InvalidStream', `Stream '${stream}' is not declared in the data collection rule.`);

    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return fail(res, 415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
    }
    if (received > MAX_COMPRESSED_BYTES) return fail(res, 413, 'ContentLengthLimitExceeded', 'The request body is larger than 1 MB.');
    const raw = Buffer.concat(chunks);
    const gzip = String(req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
    let body: Buffer;
    try {
      body = gzip ? gunzipSync(raw, { maxOutputLength: 2 * MAX_UNCOMPRESSED_BYTES }) : raw;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return fail(res, 413, 'ContentLengthLimitExceeded', 'The uncompressed request body is larger than 1 MB.');
      }
      return fail(res, 400, 'InvalidContentEncoding', 'The body is not valid gzip.');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return fail(res, 400, 'InvalidRequestBody', 'The request body is not valid JSON.');
    }
    if (!Array.isArray(parsed)) return fail(res, 400, 'InvalidRequestBody', 'The request body must be a JSON array of records.');
    const separators = parsed.length + 1;
    if (body.length > Math.max(MAX_UNCOMPRESSED_BYTES, MAX_RECORD_BYTES + separators)) {
      return fail(res, 413, 'ContentLengthLimitExceeded', 'The uncompressed request body is larger than 1 MB.');
    }
    if (!parsed.every((row) => row !== null && typeof row === 'object' && !Array.isArray(row))) {
      return fail(res, 400, 'InvalidRequestBody', 'Every record must be a JSON object.');
    }
    const records = parsed as Record<string, unknown>[];

    if (current.kind === 'status') {
      return fail(res, current.status, current.code ?? (current.status === 429 ? 'TooManyRequests' : 'ServiceError'), `Emulated ${current.status}.`, current.retryAfter === undefined ? {} : { 'retry-after': current.retryAfter });
    }
    if (current.kind === 'fail-rows' && records.some(current.matches)) {
      mode.remaining -= 1;
      return fail(res, current.status, current.code ?? 'ServiceError', 'Emulated failure of this chunk.');
    }

    uploads.push({ dcr, stream, gzip, bytes: body.length, rows: records, headers: { ...req.headers } });
    rows.push(...records);
    counters.accepted += 1;
    res.writeHead(204).end();
  }

  const server = await startHttpsServer(handle, { tls, ...(options.port === undefined ? {} : { port: options.port }) });

  return {
    url: server.url,
    uploads,
    rows,
    counters,
    setMode(next, times = Number.POSITIVE_INFINITY) {
      mode = { mode: next, remaining: times };
    },
    close: () => server.close(),
  };
}
