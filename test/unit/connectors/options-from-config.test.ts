import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splunkConnector } from '../../../connectors/splunk/descriptor.js';
import { webhookConnector } from '../../../connectors/webhook/descriptor.js';
import { loadConfig } from '../../../src/config/load.js';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('connector options from the configuration (descriptors)', () => {
  it('maps the webhook settings, and requires the secret', () => {
    const config = loadConfig({
      WEBHOOK_URL: 'https://hooks.example.com/ipenrich',
      WEBHOOK_SECRET: secret,
      WEBHOOK_TIMEOUT_MS: '5000',
      WEBHOOK_CALLBACK_ALLOWLIST: 'hooks.example.com, *.soar.example.net',
      WEBHOOK_ALLOW_PRIVATE_CALLBACKS: 'true',
      HTTPS_PROXY: 'http://proxy.example.com:3128',
      NO_PROXY: 'internal.example.com',
    });
    expect(webhookConnector.options(config)).toEqual({
      url: 'https://hooks.example.com/ipenrich',
      secret,
      timeoutMs: 5_000,
      callbackAllowlist: ['hooks.example.com', '*.soar.example.net'],
      allowPrivateCallbacks: true,
      httpsProxy: 'http://proxy.example.com:3128',
      noProxy: 'internal.example.com',
    });
    expect(() => loadConfig({ SINKS: 'webhook', WEBHOOK_URL: 'https://x.example.com/' })).toThrow(/WEBHOOK_SECRET: required when SINKS includes webhook/);
  });

  it('maps the Splunk settings and reads the CA file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipenrich-ca-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = loadConfig({
      SPLUNK_HEC_URL: 'https://splunk.example.com:8088',
      SPLUNK_HEC_TOKEN: '11111111-2222-3333-4444-555555555555',
      SPLUNK_INDEX: 'security',
      SPLUNK_ACK: 'true',
      SPLUNK_EVENT_PER_IP: 'yes',
      SPLUNK_CA_FILE: caFile,
    });
    expect(splunkConnector.options(config)).toMatchObject({
      url: 'https://splunk.example.com:8088',
      index: 'security',
      source: 'ipenrich',
      sourcetype: 'ipenrich:ip:stats',
      ack: true,
      eventPerIp: true,
      ca: expect.stringContaining('BEGIN CERTIFICATE') as unknown,
    });
  });

  it('checks every enabled connector when the configuration loads, in the one message, never echoing the token', () => {
    const token = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    let message = '';
    try {
      loadConfig({
        SINKS: 'splunk,sentinel',
        SPLUNK_HEC_URL: 'https://s.example.com:8088',
        SPLUNK_HEC_TOKEN: token,
        SPLUNK_CA_FILE: '/nonexistent/ca.pem',
        SENTINEL_INGESTION_ENDPOINT: 'https://dce.example.ingest.monitor.azure.com',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/SPLUNK_CA_FILE: cannot read \/nonexistent\/ca.pem \(ENOENT\)/);
    expect(message).toMatch(/SENTINEL_DCR_ID: required when SINKS includes sentinel/);
    expect(message).not.toContain(token);
    expect(() => loadConfig({ SINKS: 'splunk', SPLUNK_HEC_URL: 'https://s.example.com:8088' })).toThrow(/SPLUNK_HEC_TOKEN: required when SINKS includes splunk/);
    // A connector that is not enabled is not checked.
    expect(() => loadConfig({ SPLUNK_CA_FILE: '/nonexistent/ca.pem' })).not.toThrow();
  });
});
