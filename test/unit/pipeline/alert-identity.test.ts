import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeAlert } from '../../../src/extract/index.js';
import { contentDigest, jobIdFor } from '../../../src/pipeline/alert-identity.js';
import { priorityFor } from '../../../src/queue/priority.js';

describe('job identity', () => {
  it('is stable per (tenant, format, alert id, content), distinct for each of them, and valid for BullMQ', () => {
    const identity = { tenant: 'contoso', format: 'qradar-offense', alertId: 'alert-1' };
    const id = jobIdFor(identity, 'sha256:aa');
    expect(jobIdFor({ ...identity }, 'sha256:aa')).toBe(id);
    expect(jobIdFor({ ...identity, tenant: 'fabrikam' }, 'sha256:aa')).not.toBe(id);
    expect(jobIdFor({ ...identity, format: 'splunk-webhook' }, 'sha256:aa')).not.toBe(id);
    expect(jobIdFor(identity, 'sha256:bb')).not.toBe(id);
    expect(id).toMatch(/^a[0-9a-f]{32}$/);
  });

  it('identifies an alert without an id by its content, whatever the key order', () => {
    expect(contentDigest({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(contentDigest({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(contentDigest({ a: 1 })).not.toBe(contentDigest({ a: 2 }));
  });

  it('gives an updated Sentinel incident a new revision, so the playbook trigger on update enriches it again', () => {
    const incident = JSON.parse(readFileSync('examples/alerts/48-sentinel-incident-trigger-constructed.json', 'utf8')) as { object: { properties: Record<string, unknown> } };
    const first = describeAlert(incident);
    incident.object.properties.lastModifiedTimeUtc = '2026-10-14T09:00:00Z';
    const updated = describeAlert(incident);
    expect(updated.id).toBe(first.id);
    expect(updated.revision).not.toBe(first.revision);
  });

  it('serves higher severities first', () => {
    expect([priorityFor('high'), priorityFor('medium'), priorityFor(null), priorityFor('low'), priorityFor('informational')]).toEqual([1, 2, 2, 3, 4]);
  });
});
