import { EnvHttpProxyAgent, interceptors, request as undiciRequest, type buildConnector, type Dispatcher } from 'undici';
import { registerSecret } from '../secrets.js';
import { summarizeRequest, type RequestSummary } from './request-summary.js';
import { HttpTransportError } from './transport-error.js';

/**
 * The one HTTP transport every outbound call goes through (Entra ID via msal-node, Defender, sinks):
 * keep-alive connection pools, `HTTPS_PROXY`/`NO_PROXY`, a deadline per request, a cap on response
 * size, and errors that carry a sanitized request summary. Redirects are returned, not followed,
 * unless a request asks for them: a token or a signed body must not wander to another host.
 * Trust comes from Node's TLS defaults, so NODE_EXTRA_CA_CERTS works unless `tls.ca` replaces it.
 */
export interface HttpRequest {
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

export interface HttpTransport {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Closes idle keep-alive connections; requests after close fail. */
  close(): Promise<void>;
}

export interface HttpTransportOptions {
  /** Proxy for https:// targets (http://host:port, optionally with user:password@). */
  readonly httpsProxy?: string;
  /** Proxy for plain http:// targets. */
  readonly httpProxy?: string;
  /** Comma list of hosts (`example.com`, `.example.com`, `host:port`, `*`) reached directly. */
  readonly noProxy?: string;
  /** Connection options for targets (not the proxy), e.g. a `ca` for one sink, or a pinned `lookup`. */
  readonly tls?: buildConnector.BuildOptions;
  readonly defaultTimeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly keepAliveTimeoutMs?: number;
  /** Most parallel connections per origin (unlimited when absent). */
  readonly connectionsPerOrigin?: number;
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

export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  registerSecret(proxyPassword(options.httpsProxy));
  registerSecret(proxyPassword(options.httpProxy));
  const agentOptions = {
    // Empty strings (not undefined) keep undici from reading the environment itself: only src/config does.
    httpsProxy: options.httpsProxy ?? '',
    httpProxy: options.httpProxy ?? '',
    noProxy: options.noProxy ?? '',
    ...(options.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: options.keepAliveTimeoutMs }),
    ...(options.connectionsPerOrigin === undefined ? {} : { connections: options.connectionsPerOrigin }),
    ...(options.tls === undefined ? {} : { connect: options.tls, requestTls: options.tls }),
  } satisfies EnvHttpProxyAgent.Options;
  const dispatcher: Dispatcher = new EnvHttpProxyAgent(agentOptions).compose(
    interceptors.redirect({ maxRedirections: 0 }),
  );
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let closed = false;

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const summary: RequestSummary = summarizeRequest(request);
    if (closed) throw new HttpTransportError('network', summary, 'the HTTP transport is closed');
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    const onCallerAbort = (): void => controller.abort(new Error('aborted'));
    if (request.signal?.aborted) onCallerAbort();
    else request.signal?.addEventListener('abort', onCallerAbort, { once: true });

    const failure = (error: unknown): HttpTransportError => {
      if (error instanceof HttpTransportError) return error;
      if (request.signal?.aborted) return new HttpTransportError('aborted', summary, 'aborted by the caller', { cause: error });
      if (controller.signal.aborted || TIMEOUT_CODES.has((error as NodeJS.ErrnoException).code ?? '')) {
        return new HttpTransportError('timeout', summary, `no complete response within ${timeoutMs} ms`, { cause: error });
      }
      return new HttpTransportError('network', summary, describe(error), { cause: error });
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
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxResponseBytes) {
          response.body.destroy();
          throw new HttpTransportError('too-large', summary, `response body larger than ${maxResponseBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return { status: response.statusCode, headers: flattenHeaders(response.headers), body: Buffer.concat(chunks, size) };
    } catch (error) {
      throw failure(error);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return {
    request: send,
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
  };
}
