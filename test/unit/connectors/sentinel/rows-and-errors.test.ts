import { describe, expect, it } from 'vitest';
import { classifyAzureError } from '../../../../connectors/sentinel/azure-error.js';
import { sentinelConnector } from '../../../../connectors/sentinel/descriptor.js';
import { buildRows } from '../../../../connectors/sentinel/rows.js';
import { chunkRows } from '../../../../connectors/sentinel/upload-rows.js';
import { loadConfig } from '../../../../src/config/load.js';
import { IpenrichError } from '../../../../src/errors.js';
import { sampleIp, sampleResult } from '../../../integration/connectors/support/sample-result.js';

function restError(statusCode: number | undefined, headers: Record<string, string> = {}) {
  return Object.assign(new Error('service said no'), {
    name: 'RestError',
    statusCode,
    code: 'SomeCode',
    response: { headers: { get: (name: string) => headers[name] } },
  });
}

describe('Azure error classification', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('retries 408, 429, 5xx and statusless (network) errors, not other 4xx', () => {
    for (const status of [408, 429, 500, 503]) expect(classifyAzureError(restError(status), now).retryable).toBe(true);
    for (const status of [400, 401, 403, 404, 413]) expect(classifyAzureError(restError(status), now).retryable).toBe(false);
    expect(classifyAzureError(restError(undefined), now).retryable).toBe(true);
  });

  it('reads Retry-After in all three forms', () => {
    expect(classifyAzureError(restError(429, { 'retry-after': '7' }), now).retryAfterMs).toBe(7_000);
    expect(classifyAzureError(restError(429, { 'retry-after-ms': '250' }), now).retryAfterMs).toBe(250);
    expect(classifyAzureError(restError(429, { 'x-ms-retry-after-ms': '90' }), now).retryAfterMs).toBe(90);
  });

  it('keeps the verdict of our own errors (from the token source)', () => {
    const failure = classifyAzureError(new IpenrichError('AUTH_FAILED', 'bad secret'), now);
    expect(failure).toMatchObject({ retryable: false, code: 'AUTH_FAILED' });
  });
});

describe('rows and chunks', () => {
  it('chunks rows under the byte cap, brackets and commas included', () => {
    const result = sampleResult({ ips: Array.from({ length: 500 }, (_, i) => sampleIp(`198.18.${i >> 8}.${i & 255}`)) });
    const rows = buildRows(result, 'msg_1');
    const chunks = chunkRows(rows, 20_000);
    expect(chunks.flat()).toEqual(rows);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThanOrEqual(20_000);
  });
});

describe('Sentinel options from configuration', () => {
  const base = { SENTINEL_INGESTION_ENDPOINT: 'https://dce.eastus-1.ingest.monitor.azure.com', SENTINEL_DCR_ID: 'dcr-0123456789abcdef0123456789abcdef' };

  it('derives audience and ARM endpoint from the cloud, overridable', () => {
    expect(sentinelConnector.options(loadConfig(base))).toMatchObject({ audience: 'https://monitor.azure.com', armEndpoint: 'https://management.azure.com' });
    expect(sentinelConnector.options(loadConfig({ ...base, MDE_CLOUD: 'gcc-high' }))).toMatchObject({
      audience: 'https://monitor.azure.us',
      armEndpoint: 'https://management.usgovcloudapi.net',
    });
    expect(sentinelConnector.options(loadConfig({ ...base, SENTINEL_AUDIENCE: 'https://monitor.azure.cn' })).audience).toBe('https://monitor.azure.cn');
  });

  it('names what is missing', () => {
    expect(() => loadConfig({ SINKS: 'sentinel' })).toThrow(/SENTINEL_INGESTION_ENDPOINT and SENTINEL_DCR_ID: required when SINKS includes sentinel/);
  });
});
