import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngressHarness, type IngressHarness } from './support/ingress-harness.js';

type Json = Record<string, unknown>;

const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Json)[key] : undefined), value);

describe('the OpenAPI document', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    // The envelope example names a callback on soar.example.com: allowed here (no DNS needed at the door).
    harness = await startIngressHarness({
      env: { WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`, WEBHOOK_CALLBACK_ALLOWLIST: 'soar.example.com' },
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  /**
   * config/openapi.json is generated from the route schemas: when a route changes, regenerate it
   * with `npx vitest run --project default test/integration/ingress/openapi.test.ts -u` (the flag after
   * the file: `-u FILE` would run every test) and commit the file.
   */
  it('is generated from the route schemas and kept in config/openapi.json', async () => {
    await expect(`${JSON.stringify(harness.app.swagger(), null, 2)}\n`).toMatchFileSnapshot('../../../config/openapi.json');
  });

  it('is served at /openapi.json without credentials, identical to the committed file', async () => {
    const served = await harness.http('GET', '/openapi.json', { key: null });
    expect(served.status).toBe(200);
    expect(served.json).toEqual(JSON.parse(readFileSync('config/openapi.json', 'utf8')));
  });

  it('is a valid OpenAPI 3.1 document describing every public endpoint', async () => {
    const document = JSON.parse(readFileSync('config/openapi.json', 'utf8')) as Json;
    await SwaggerParser.validate(structuredClone(document) as never);
    expect(Object.keys(document.paths as Json).sort()).toEqual(['/healthz', '/metrics', '/readyz', '/v1/alerts', '/v1/enrich', '/v1/jobs/{id}', '/v1/lookup']);
    for (const path of ['/v1/alerts', '/v1/enrich']) {
      const responses = at(document, 'paths', path, 'post', 'responses') as Json;
      for (const status of ['400', '401', '403', '413', '415', '429', '503']) expect(Object.keys(responses), `${path} ${status}`).toContain(status);
    }
  });

  it('carries request examples for a Logic Apps HTTP action and a Splunk webhook alert action', () => {
    const document = JSON.parse(readFileSync('config/openapi.json', 'utf8')) as Json;
    const examples = at(document, 'paths', '/v1/enrich', 'post', 'requestBody', 'content', 'application/json', 'examples') as Json;
    expect(Object.keys(examples)).toEqual(expect.arrayContaining(['logicAppsIncident', 'splunkWebhookAction']));
    expect(at(examples, 'logicAppsIncident', 'value', 'object', 'id')).toMatch(/\/providers\/Microsoft\.SecurityInsights\/Incidents\//);
    expect(Object.keys(at(examples, 'splunkWebhookAction', 'value') as Json)).toEqual(expect.arrayContaining(['result', 'sid', 'search_name', 'results_link']));
    const lookup = at(document, 'paths', '/v1/lookup', 'post', 'requestBody', 'content', 'application/json', 'examples') as Json;
    expect(Object.keys(lookup)).toContain('logicAppsEntities');
  });

  it('documents examples the API actually accepts', async () => {
    const document = JSON.parse(readFileSync('config/openapi.json', 'utf8')) as Json;
    for (const [path, key] of [['/v1/alerts', 'operator'], ['/v1/lookup', 'operator']] as const) {
      const examples = at(document, 'paths', path, 'post', 'requestBody', 'content', 'application/json', 'examples') as Record<string, { value: unknown }>;
      for (const [name, example] of Object.entries(examples)) {
        const answer = await harness.http('POST', path, { body: example.value, key: harness.keys[key] });
        expect([200, 202], `${path} example ${name}: ${answer.text}`).toContain(answer.status);
      }
    }
  });
});
