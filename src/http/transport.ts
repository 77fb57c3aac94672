import { request as undiciRequest, type Dispatcher } from 'undici';
import { registerSecret } from '../secrets.js';
import { createDispatcher, type DispatcherOptions } from './dispatcher.js';
import { summarizeRequest, type RequestSummary } from './request-summary.js';
import { HttpTransportError } from './transport-error.js';

/**
 * The one HTTP transport every outbound call goes through (Entra ID via msal-node, Defender, ARM,
 * Splunk HEC, Logs Ingestion, webhooks): the dispatcher of ./dispatcher.ts (proxy, CA, pinned
 * address, no redirects), a deadline per request, a cap on response size, and errors that carry a
 * sanitized request summary.
 */
interface HttpRequest {
  readonly method: string;
  readonly url: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Deadline for the whole exchange (connect, headers and body); the transport default otherwise. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Follow up to this many redirects; 0 (default) returns 3xx responses as they are. */
  readonly maxRedirections?: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * An answer whose body has not been read yet: the status alone decides, so a 2xx whose body then
 * breaks off is still a success (a POST that was accepted must not be sent again).
 */
export interface StatusFirstResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text, within the size cap; an HttpTransportError when it breaks off. */
  text(): Promise<string>;
  /** Drops the body so the connection can be reused; a body that breaks off is ignored. */
  discard(): Promise<void>;
}

export interface HttpTransport {
  /** Reads the whole body before returning. */
  request(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Returns as soon as the status and headers arrive; the request's deadline still covers the body,
   * which the caller must read or discard.
   */
  requestStatusFirst(request: HttpRequest): Promise<StatusFirstResponse>;
  /** Closes idle keep-alive connections; requests after close fail. */
  close(): Promise<void>;
}

export interface HttpTransportOptions extends DispatcherOptions {
  readonly defaultTimeoutMs?: number;
  readonly maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1_048_576;

/** The proxy settings of a loaded configuration, in the transport's terms. */
export function transportOptionsFromConfig(config: { HTTPS_PROXY?: string | undefined; NO_PROXY?: string | undefined }): HttpTransportOptions {
  return {
    ...(config.HTTPS_PROXY === undefined ? {} : { httpsProxy: config.HTTPS_PROXY }),
    ...(config.NO_PROXY === undefined ? {} : { noProxy: config.NO_PROXY }),
  };
}

function proxyPassword(proxy: string | undefined): string | undefined {
  if (proxy === undefined) return undefined;
  try {
    return decodeURIComponent(new URL(proxy).password) || undefined;
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Undici error codes that mean the deadline of a phase passed rather than the connection failing. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}${cause}`;
}

/** An exchange whose headers arrived; `settle` ends its deadline once the body is done with. */
interface OpenExchange {
  readonly response: Dispatcher.ResponseData;
  /** Built only when an error needs it: most requests succeed, and sanitizing the URL costs. */
  readonly summary: () => RequestSummary;
  readonly failure: (error: unknown) => HttpTransportError;
  readonly settle: () => void;
}

export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  registerSecret(proxyPassword(options.httpsProxy));
  registerSecret(proxyPassword(options.httpProxy));
  const dispatcher = createDispatcher(options);
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let closed = false;

  async function open(request: HttpRequest): Promise<OpenExchange> {
    let built: RequestSummary | undefined;
    const summary = (): RequestSummary => (built ??= summarizeRequest(request));
    if (closed) throw new HttpTransportError('network', summary(), 'the HTTP transport is closed');
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    const onCallerAbort = (): void => controller.abort(new Error('aborted'));
    if (request.signal?.aborted) onCallerAbort();
    else request.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const settle = (): void => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerAbort);
    };

    const failure = (error: unknown): HttpTransportError => {
      if (error instanceof HttpTransportError) return error;
      if (request.signal?.aborted) return new HttpTransportError('aborted', summary(), 'aborted by the caller', { cause: error });
      if (controller.signal.aborted || TIMEOUT_CODES.has((error as NodeJS.ErrnoException).code ?? '')) {
        return new HttpTransportError('timeout', summary(), `no complete response within ${timeoutMs} ms`, { cause: error });
      }
      return new HttpTransportError('network', summary(), describe(error), { cause: error });
    };

    try {
      const response = await undiciRequest(request.url, {
        dispatcher,
        method: request.method.toUpperCase(),
        headers: { ...request.headers },
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
        // Stripped by the redirect interceptor before undici's own option check sees it.
        ...({ maxRedirections: request.maxRedirections ?? 0 } as object),
      });
      return { response, summary, failure, settle };
    } catch (error) {
      settle();
      throw failure(error);
    }
  }

  async function readBody(exchange: OpenExchange): Promise<Buffer> {
    const { response, summary } = exchange;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxResponseBytes) {
          response.body.destroy();
          throw new HttpTransportError('too-large', summary(), `response body larger than ${maxResponseBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks, size);
    } catch (error) {
      throw exchange.failure(error);
    } finally {
      exchange.settle();
    }
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const exchange = await open(request);
    const body = await readBody(exchange);
    return { status: exchange.response.statusCode, headers: flattenHeaders(exchange.response.headers), body };
  }

  async function sendStatusFirst(request: HttpRequest): Promise<StatusFirstResponse> {
    const exchange = await open(request);
    const { response } = exchange;
    return {
      status: response.statusCode,
      headers: flattenHeaders(response.headers),
      text: async () => (await readBody(exchange)).toString('utf8'),
      async discard() {
        try {
          await response.body.dump();
        } catch {
          // The status already decided the outcome; a body that fails to arrive changes nothing.
        } finally {
          exchange.settle();
        }
      },
    };
  }

  return {
    request: send,
    requestStatusFirst: sendStatusFirst,
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
  };
}
