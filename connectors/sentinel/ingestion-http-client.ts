import type { LogsIngestionClient } from '@azure/monitor-ingestion';
import { isHttpTransportError } from '../../src/http/transport-error.js';
import type { HttpTransport } from '../../src/http/transport.js';

/** The Azure SDK's HttpClient and its request/response, as the client we use declares them (no direct @azure/core-rest-pipeline dependency). */
type PipelineHttpClient = NonNullable<NonNullable<ConstructorParameters<typeof LogsIngestionClient>[2]>['httpClient']>;
type PipelineRequest = Parameters<PipelineHttpClient['sendRequest']>[0];
type PipelineResponse = Awaited<ReturnType<PipelineHttpClient['sendRequest']>>;
type HttpHeaders = PipelineResponse['headers'];

/** Response headers in the SDK's shape; the transport already gives lower-case names. */
class ResponseHeaders implements HttpHeaders {
  readonly #headers: Map<string, string>;

  constructor(headers: Readonly<Record<string, string>>) {
    this.#headers = new Map(Object.entries(headers));
  }
  get(name: string): string | undefined {
    return this.#headers.get(name.toLowerCase());
  }
  has(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }
  set(name: string, value: string | number | boolean): void {
    this.#headers.set(name.toLowerCase(), String(value));
  }
  delete(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.#headers);
  }
  [Symbol.iterator](): Iterator<[string, string]> {
    return this.#headers.entries();
  }
}

/** What the SDK's own Node client throws on abort; classifyAzureError reads the name. */
class AbortError extends Error {
  override readonly name = 'AbortError';
}

function requestBody(body: PipelineRequest['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // The upload operation sends a gzipped Buffer (GZippingPolicy); streams and forms never occur here.
  throw new TypeError('Logs Ingestion request body must be a string or bytes');
}

/**
 * The Logs Ingestion SDK's HTTP client on top of the shared transport, so uploads get the same
 * proxy, NO_PROXY, CA, keep-alive and deadline as every other call. Without it the SDK takes the
 * proxy from the process environment only, and drops TLS settings whenever a proxy applies:
 * @azure/core-rest-pipeline 1.24.0 → @typespec/ts-http-runtime 0.3.6 `policies/proxyPolicy.js`
 * (`loadEnvironmentProxyValue`, `loadNoProxy` read process.env; `setProxyAgentOnRequest` warns "TLS
 * settings are not supported in combination with custom Proxy"). The `httpClient` client option
 * replaces the transport under the whole pipeline (@typespec/ts-http-runtime `client/getClient.js`).
 */
export function ingestionHttpClient(transport: HttpTransport): PipelineHttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      // decompressResponsePolicy asks for gzip because the SDK's Node client inflates; this transport does not.
      const headers = Object.fromEntries([...request.headers].filter(([name]) => name.toLowerCase() !== 'accept-encoding'));
      const body = requestBody(request.body);
      // At run time the pipeline has turned the AbortSignalLike into an AbortSignal (wrapAbortSignalLikePolicy).
      const signal = request.abortSignal instanceof AbortSignal ? request.abortSignal : undefined;
      try {
        const response = await transport.request({
          method: request.method,
          url: request.url,
          headers,
          ...(body === undefined ? {} : { body }),
          ...(request.timeout > 0 ? { timeoutMs: request.timeout } : {}),
          ...(signal === undefined ? {} : { signal }),
        });
        return { request, status: response.status, headers: new ResponseHeaders(response.headers), bodyAsText: response.body.toString('utf8') };
      } catch (error) {
        if (isHttpTransportError(error) && error.kind === 'aborted') throw new AbortError('The operation was aborted.', { cause: error });
        throw error;
      }
    },
  };
}
