import { randomBytes, randomUUID } from 'node:crypto';
import { isAggregateLogsUploadError, LogsIngestionClient } from '@azure/monitor-ingestion';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSentinelSink, type SentinelOptionsInput } from '../../../connectors/sentinel/index.js';
import { tokenCredentialFrom } from '../../../connectors/sentinel/token-credential.js';
import type { Sink } from '../../../src/sinks/port.js';
import { startArmEmulator, type ArmEmulator } from '../../../src/emulators/arm.js';
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from '../../../src/emulators/logs-ingestion.js';
import { failure } from './support/failure.js';
import { memoryProgress } from './support/memory-progress.js';
import { sampleIp, sampleResult } from './support/sample-result.js';
import { sentinelDeps } from './support/sentinel-deps.js';
import { staticTokenSource } from './support/static-token-source.js';

const token = `bearer-${randomBytes(16).toString('hex')}`;
const dcr = `dcr-${randomBytes(16).toString('hex')}`;
const stream = 'Custom-IpEnrichment_CL';

/** Many IPs: enough rows that the SDK splits them into more than one ~1 MB request. */
function bigResult(count: number) {
  return sampleResult({
    ips: Array.from({ length: count }, (_, i) => sampleIp(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, { paths: [] })),
    summary: { text: 'x'.repeat(200), counts: { enriched: count, not_seen: 0, skipped: 0, invalid: 0, deferred: 0, error: 0 }, rare: [], new: [] },
  });
}

describe('Sentinel sink against the Logs Ingestion and ARM emulators', () => {
  let ingest: LogsIngestionEmulator;
  let arm: ArmEmulator;
  let limits: Awaited<ReturnType<typeof sentinelDeps>>;
  const tokens = staticTokenSource(token);
  const sinks: Sink[] = [];
  const sink = (options: Partial<SentinelOptionsInput> = {}): Sink => {
    const created = createSentinelSink(
      { ingestionEndpoint: ingest.url, dcrImmutableId: dcr, armEndpoint: arm.url, workspaces: 'any', backoffBaseMs: 5, ...options },
      limits.deps(tokens),
    );
    sinks.push(created);
    return created;
  };
  const rowsOf = (deliveryId: string) => ingest.rows.filter((row) => row.DeliveryId === deliveryId);

  beforeAll(async () => {
    ingest = await startLogsIngestionEmulator({ token, rules: { [dcr]: [stream] } });
    arm = await startArmEmulator({ token });
    limits = await sentinelDeps();
  });
  afterEach(async () => {
    ingest.setMode({ kind: 'normal' });
    arm.setMode({ kind: 'normal' });
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await ingest.close();
    await arm.close();
    await limits.close();
  });

  it('writes one typed row per alert × IP, gzipped, with a Logs Ingestion token', async () => {
    const result = sampleResult();
    const deliveryId = `msg_${randomUUID()}`;
    tokens.requests.length = 0;
    await sink().deliver(result, { deliveryId });
    const rows = rowsOf(deliveryId);
    expect(rows.map((row) => row.IpAddress)).toEqual(result.ips.map((ip) => ip.ip));
    expect(rows[0]).toMatchObject({
      TimeGenerated: result.completedAt,
      AlertId: result.alertId,
      IncidentId: null,
      Tenant: 'default',
      IpAddress: '203.0.113.7',
      Status: 'enriched',
      OrgPrevalence: 2,
      OrgFirstSeen: '2026-01-10T08:00:00.000Z',
      OrgLastSeen: '2026-01-11T09:30:00.000Z',
      LookBackHours: 720,
      Verdict: 'rare',
      Cached: false,
    });
    expect(rows[2]).toMatchObject({ Status: 'not_seen', OrgPrevalence: 0, OrgFirstSeen: null, Verdict: 'unseen' });
    const upload = ingest.uploads.at(-1);
    expect(upload).toMatchObject({ dcr, stream, gzip: true });
    expect(tokens.requests.map((r) => r.scope)).toEqual(['https://monitor.azure.com/.default']);
    expect(arm.counters.requests).toBe(0);
  });

  it('asks for the configured audience (US Government)', async () => {
    tokens.requests.length = 0;
    await sink({ audience: 'https://monitor.azure.us' }).deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` });
    expect(tokens.requests[0]?.scope).toBe('https://monitor.azure.us/.default');
  });

  it('comments on the incident once per alert: a retry, and a later revision of the alert, edit the same comment', async () => {
    const incidentArmId = arm.addIncident();
    const result = sampleResult({ incidentArmId });
    const deliveryId = `msg_${randomUUID()}`;
    tokens.requests.length = 0;
    await sink().deliver(result, { deliveryId });
    await sink().deliver(result, { deliveryId });
    const [comment, ...others] = arm.commentsOf(incidentArmId);
    expect(others).toHaveLength(0);
    expect(comment?.writes).toBe(2);
    expect(comment?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(comment?.message).toContain('<table>');
    expect(comment?.message).toContain('<td>203.0.113.7</td>');
    expect(rowsOf(deliveryId)[0]?.IncidentId).toBe(incidentArmId.split('/').pop());
    expect(tokens.requests.map((r) => r.scope)).toContain(`${arm.url}/.default`);

    // A new revision of the same alert (another job, another delivery id) updates that comment.
    await sink().deliver({ ...result, contentDigest: 'sha256:revised' }, { deliveryId: `msg_${randomUUID()}` });
    expect(arm.commentsOf(incidentArmId)).toHaveLength(1);
    expect(arm.commentsOf(incidentArmId)[0]?.writes).toBe(3);
    // Another alert on the same incident gets a comment of its own.
    await sink().deliver({ ...result, alertId: 'another-alert' }, { deliveryId: `msg_${randomUUID()}` });
    expect(arm.commentsOf(incidentArmId)).toHaveLength(2);
  });

  it('skips parts the delivery progress says are done', async () => {
    const incidentArmId = arm.addIncident();
    const progress = memoryProgress();
    const deliveryId = `msg_${randomUUID()}`;
    const result = sampleResult({ incidentArmId });
    await sink().deliver(result, { deliveryId, progress });
    expect([...progress.parts].sort()).toEqual(['comment', ...result.ips.map((ip) => `row:${ip.ip}`)].sort());
    const requests = ingest.counters.requests + arm.counters.requests;
    await sink().deliver(result, { deliveryId, progress });
    expect(ingest.counters.requests + arm.counters.requests).toBe(requests);
  });

  it('keeps a long comment under the size cap by dropping whole rows, escaping HTML', async () => {
    const incidentArmId = arm.addIncident();
    const result = sampleResult({
      incidentArmId,
      summary: { text: '<script>alert(1)</script>', counts: { enriched: 400, not_seen: 0, skipped: 0, invalid: 0, deferred: 0, error: 0 }, rare: [], new: [] },
      ips: Array.from({ length: 400 }, (_, i) => sampleIp(`198.18.${i >> 8}.${i & 255}`)),
    });
    await sink({ commentMaxChars: 5_000 }).deliver(result, { deliveryId: `msg_${randomUUID()}` });
    const message = arm.commentsOf(incidentArmId)[0]?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(5_000);
    expect(message).not.toContain('<script>');
    expect(message).toContain('&#60;script&#62;');
    expect(message).toMatch(/<\/table><p>… and \d+ more IPs: see the IpEnrichment_CL table\.<\/p>$/);
    const shown = (message.match(/<tr><td>/g) ?? []).length;
    expect(shown + Number(/and (\d+) more/.exec(message)?.[1])).toBe(400);
  });

  it('labels the incident when a verdict says rare, keeping its labels and owner, once', async () => {
    const incidentArmId = arm.addIncident({ labels: [{ labelName: 'triage', labelType: 'User' }] });
    const result = sampleResult({ incidentArmId });
    await sink({ rareLabel: 'rare-ip' }).deliver(result, { deliveryId: `msg_${randomUUID()}` });
    const incident = arm.incident(incidentArmId);
    expect(incident?.properties.labels.map((l) => l.labelName)).toEqual(['triage', 'rare-ip']);
    expect(incident?.properties.owner).toEqual({ assignedTo: 'analyst@example.com' });
    const puts = arm.counters.incidentPuts;
    await sink({ rareLabel: 'rare-ip' }).deliver(result, { deliveryId: `msg_${randomUUID()}` });
    expect(arm.counters.incidentPuts).toBe(puts);

    const common = sampleResult({ incidentArmId: arm.addIncident(), ips: [sampleIp('198.51.100.9', { verdict: [] })] });
    await sink({ rareLabel: 'rare-ip' }).deliver(common, { deliveryId: `msg_${randomUUID()}` });
    expect(arm.incident(common.incidentArmId ?? '')?.properties.labels).toEqual([]);
  });

  it('merges the label again when another writer changed the incident (etag)', async () => {
    const incidentArmId = arm.addIncident();
    arm.setMode({ kind: 'etag-race' }, 2);
    // The comment PUT takes the first mode slot; the first incident GET is raced.
    await sink({ rareLabel: 'rare-ip' }).deliver(sampleResult({ incidentArmId }), { deliveryId: `msg_${randomUUID()}` });
    expect(arm.incident(incidentArmId)?.properties.labels.map((l) => l.labelName)).toEqual(['rare-ip']);
  });

  it('fills a comment up to the documented 30,000 characters by default', async () => {
    const incidentArmId = arm.addIncident();
    const ips = Array.from({ length: 600 }, (_, i) => sampleIp(`198.18.${i >> 8}.${i & 255}`));
    await sink().deliver(sampleResult({ incidentArmId, ips }), { deliveryId: `msg_${randomUUID()}` });
    const message = arm.commentsOf(incidentArmId)[0]?.message ?? '';
    expect(message.length).toBeGreaterThan(28_000);
    expect(message.length).toBeLessThanOrEqual(30_000);
  });

  it("skips the comment with a receipt note when the incident already has 100 comments, rows written", async () => {
    const incidentArmId = arm.addIncident();
    arm.addComments(incidentArmId, 100);
    const deliveryId = `msg_${randomUUID()}`;
    const progress = memoryProgress();
    const receipt = await sink().deliver(sampleResult({ incidentArmId }), { deliveryId, progress });
    expect(receipt?.notes).toEqual(['incident comment skipped: the incident already has 100 comments']);
    expect(arm.commentsOf(incidentArmId)).toHaveLength(100);
    expect(rowsOf(deliveryId)).toHaveLength(3);
    // A retry of the job repeats the note without asking ARM again.
    const requests = arm.counters.requests;
    const again = await sink().deliver(sampleResult({ incidentArmId }), { deliveryId, progress });
    expect(again?.notes).toEqual(receipt?.notes);
    expect(arm.counters.requests).toBe(requests);
  });

  it('still edits its own comment on an incident that reached 100 comments since', async () => {
    const incidentArmId = arm.addIncident();
    const deliveryId = `msg_${randomUUID()}`;
    const result = sampleResult({ incidentArmId });
    await sink().deliver(result, { deliveryId });
    arm.addComments(incidentArmId, 99);
    const receipt = await sink().deliver(result, { deliveryId });
    expect(receipt).toBeUndefined();
    expect(arm.commentsOf(incidentArmId).filter((c) => c.writes === 2)).toHaveLength(1);
  });

  it('fails a comment refused for another reason, with the reason', async () => {
    const incidentArmId = arm.addIncident();
    arm.setMode({ kind: 'status', status: 400, code: 'BadRequest' }, 1);
    const error = await failure(sink().deliver(sampleResult({ incidentArmId }), { deliveryId: `msg_${randomUUID()}` }));
    expect(error.code).toBe('SINK_REJECTED');
    expect(error.statusCode).toBe(400);
  });

  it('makes no ARM call for an incident outside SENTINEL_WORKSPACES: rows written, a note says why', async () => {
    const subscription = randomUUID();
    const allowed = `/subscriptions/${subscription}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/customer-a`;
    const foreign = arm.addIncident({}, `/subscriptions/${subscription}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/customer-b`);
    const madeUp = `${allowed.replace('customer-a', 'customer-c')}/providers/Microsoft.SecurityInsights/incidents/${randomUUID()}`;
    const before = arm.counters.requests;
    for (const incidentArmId of [foreign, madeUp]) {
      const deliveryId = `msg_${randomUUID()}`;
      const receipt = await sink({ workspaces: [allowed], rareLabel: 'rare-ip' }).deliver(sampleResult({ incidentArmId }), { deliveryId });
      const workspace = incidentArmId.split('/providers/Microsoft.SecurityInsights/')[0];
      expect(receipt?.notes).toEqual([`incident comment and label refused: workspace ${workspace} is not in SENTINEL_WORKSPACES`]);
      expect(rowsOf(deliveryId)).toHaveLength(3);
    }
    expect(arm.counters.requests).toBe(before);

    const own = arm.addIncident({}, allowed.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'));
    expect(await sink({ workspaces: [allowed] }).deliver(sampleResult({ incidentArmId: own }), { deliveryId: `msg_${randomUUID()}` })).toBeUndefined();
    expect(arm.commentsOf(own)).toHaveLength(1);
  });

  it('comments nowhere when SENTINEL_WORKSPACES is not set', async () => {
    const incidentArmId = arm.addIncident();
    const before = arm.counters.requests;
    const receipt = await sink({ workspaces: undefined }).deliver(sampleResult({ incidentArmId }), { deliveryId: `msg_${randomUUID()}` });
    expect(receipt?.notes[0]).toMatch(/^incident comment refused: workspace \/subscriptions\/.+ is not allowed: SENTINEL_WORKSPACES is not set/);
    expect(arm.counters.requests).toBe(before);
  });

  it('cools the subscription down after a 429 from ARM: no further write until Retry-After', async () => {
    const workspace = `/subscriptions/${randomUUID()}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-workspace`;
    const [first, second] = [arm.addIncident({}, workspace), arm.addIncident({}, workspace)];
    arm.setMode({ kind: 'status', status: 429, retryAfter: '120' }, 1);
    const throttled = await failure(sink().deliver(sampleResult({ incidentArmId: first }), { deliveryId: `msg_${randomUUID()}` }));
    expect([throttled.code, throttled.statusCode, throttled.retryAfterMs]).toEqual(['SINK_UNAVAILABLE', 429, 120_000]);
    const before = arm.counters.requests;
    const deferred = await failure(sink().deliver(sampleResult({ incidentArmId: second }), { deliveryId: `msg_${randomUUID()}` }));
    expect(deferred.code).toBe('SINK_UNAVAILABLE');
    expect(deferred.retryAfterMs).toBeGreaterThan(100_000);
    expect(arm.counters.requests).toBe(before);
  });

  it('defers a label past the incident-write window to the worker, keeping the comment and rows done', async () => {
    const workspace = `/subscriptions/${randomUUID()}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-workspace`;
    const paced = { rareLabel: 'rare-ip', maxInProcessWaitMs: 0, incidentWriteLimit: { max: 1, windowMs: 60_000 } };
    await sink(paced).deliver(sampleResult({ incidentArmId: arm.addIncident({}, workspace) }), { deliveryId: `msg_${randomUUID()}` });
    const progress = memoryProgress();
    const puts = arm.counters.incidentPuts;
    const error = await failure(sink(paced).deliver(sampleResult({ incidentArmId: arm.addIncident({}, workspace) }), { deliveryId: `msg_${randomUUID()}`, progress }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(arm.counters.incidentPuts).toBe(puts);
    expect([...progress.parts]).toContain('comment');
    expect([...progress.parts].filter((part) => part.startsWith('row:'))).toHaveLength(3);
  });

  it('refuses an incidentArmId that is not a Sentinel incident, after writing the rows', async () => {
    const deliveryId = `msg_${randomUUID()}`;
    const hostile = `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`;
    const traversal = `${arm.addIncident()}/../../../../providers/Microsoft.Compute/virtualMachines/vm1`;
    const before = arm.counters.requests;
    for (const incidentArmId of [hostile, traversal]) {
      const error = await failure(sink().deliver(sampleResult({ incidentArmId }), { deliveryId }));
      expect(error.code).toBe('SINK_REJECTED');
    }
    expect(arm.counters.requests).toBe(before);
    expect(rowsOf(deliveryId).length).toBeGreaterThan(0);
  });

  it('hands a long Retry-After to the worker without the SDK sleeping on it', async () => {
    ingest.setMode({ kind: 'status', status: 429, retryAfter: '120' });
    const requests = ingest.counters.requests;
    const error = await failure(sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.statusCode).toBe(429);
    expect(ingest.counters.requests - requests).toBe(1);
  });

  it('retries a short Retry-After in-process', async () => {
    ingest.setMode({ kind: 'status', status: 503, retryAfter: '0' }, 1);
    const deliveryId = `msg_${randomUUID()}`;
    await sink().deliver(sampleResult(), { deliveryId });
    expect(rowsOf(deliveryId)).toHaveLength(3);
  });

  it('treats a 400 as final, with the service reason, never the token', async () => {
    ingest.setMode({ kind: 'status', status: 400, code: 'InvalidStream' });
    const requests = ingest.counters.requests;
    const error = await failure(sink().deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(error.code).toBe('SINK_REJECTED');
    expect(ingest.counters.requests - requests).toBe(1);
    expect(JSON.stringify(error.details)).toContain('InvalidStream');
    expect(`${error.message}${JSON.stringify(error)}${JSON.stringify(error.details)}`).not.toContain(token);

    const wrongToken = createSentinelSink({ ingestionEndpoint: ingest.url, dcrImmutableId: dcr, armEndpoint: arm.url }, limits.deps(staticTokenSource('not-the-token')));
    sinks.push(wrongToken);
    ingest.setMode({ kind: 'normal' });
    const denied = await failure(wrongToken.deliver(sampleResult(), { deliveryId: `msg_${randomUUID()}` }));
    expect(denied.code).toBe('SINK_REJECTED');
    expect(denied.statusCode).toBe(401);
  });

  it('retries a 401 once with a freshly acquired token (the cached one may be revoked)', async () => {
    const rotating = {
      requests: [] as boolean[],
      getAccessToken(_scope: string, options?: { forceRefresh?: boolean }) {
        this.requests.push(options?.forceRefresh === true);
        return Promise.resolve({ token: options?.forceRefresh ? token : 'revoked-token', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
    const s = createSentinelSink({ ingestionEndpoint: ingest.url, dcrImmutableId: dcr, armEndpoint: arm.url }, limits.deps(rotating));
    sinks.push(s);
    const deliveryId = `msg_${randomUUID()}`;
    await s.deliver(sampleResult(), { deliveryId });
    expect(rowsOf(deliveryId)).toHaveLength(3);
    expect(rotating.requests).toEqual([false, true]);
  });

  it('re-sends only the rows of the chunk that failed, in-process and across job retries', async () => {
    const result = bigResult(2_600);
    const poisoned = result.ips[2_500]?.ip;
    const deliveryId = `msg_${randomUUID()}`;
    const progress = memoryProgress();
    ingest.setMode({ kind: 'fail-rows', matches: (row) => row.IpAddress === poisoned, status: 503 }, 1);
    const error = await failure(sink({ attempts: 1 }).deliver(result, { deliveryId, progress }));
    expect(error.code).toBe('SINK_UNAVAILABLE');
    const details = error.details as { failedRows: number; deliveredRows: number; failedIps: string[] };
    expect(details.failedRows).toBeGreaterThan(0);
    expect(details.failedRows).toBeLessThan(2_600);
    expect(details.deliveredRows + details.failedRows).toBe(2_600);
    expect(progress.parts.size).toBe(details.deliveredRows);
    expect(rowsOf(deliveryId)).toHaveLength(details.deliveredRows);

    await sink().deliver(result, { deliveryId, progress });
    const ips = rowsOf(deliveryId).map((row) => row.IpAddress);
    expect(ips).toHaveLength(2_600);
    expect(new Set(ips).size).toBe(2_600);
  });

  it('re-sends only failed chunks within one deliver call', async () => {
    const result = bigResult(2_600);
    const poisoned = result.ips[10]?.ip;
    const deliveryId = `msg_${randomUUID()}`;
    ingest.setMode({ kind: 'fail-rows', matches: (row) => row.IpAddress === poisoned, status: 500 }, 1);
    await sink().deliver(result, { deliveryId });
    const ips = rowsOf(deliveryId).map((row) => row.IpAddress);
    expect(ips).toHaveLength(2_600);
    expect(new Set(ips).size).toBe(2_600);
    // Requests stay under 1,000,000 bytes, brackets and commas included, whatever the row size.
    const mine = ingest.uploads.filter((u) => u.rows.some((row) => row.DeliveryId === deliveryId));
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...mine.map((u) => u.bytes))).toBeLessThanOrEqual(990_000);
  });
});

describe('ARM writes paced per subscription across sinks (shared Redis limiter)', () => {
  const WINDOW = { max: 5, windowMs: 400 };
  let ingest: LogsIngestionEmulator;
  let arm: ArmEmulator;
  let limits: Awaited<ReturnType<typeof sentinelDeps>>;
  beforeAll(async () => {
    ingest = await startLogsIngestionEmulator({ token, rules: { [dcr]: [stream] } });
    arm = await startArmEmulator({ token, commentWrites: WINDOW, incidentWrites: WINDOW });
    limits = await sentinelDeps();
  });
  afterAll(async () => {
    await Promise.all([ingest.close(), arm.close(), limits.close()]);
  });

  it('writes a burst of comments with no 429, deferring what does not fit, rows never sent twice', async () => {
    const workspace = `/subscriptions/${randomUUID()}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-workspace`;
    // Two sinks, as two workers would have: they share the limit through Redis.
    const options = { ingestionEndpoint: ingest.url, dcrImmutableId: dcr, armEndpoint: arm.url, workspaces: 'any', commentWriteLimit: WINDOW, maxInProcessWaitMs: 0 } as const;
    const workers = [createSentinelSink(options, limits.deps(staticTokenSource(token))), createSentinelSink(options, limits.deps(staticTokenSource(token)))];
    const alerts = Array.from({ length: 24 }, (_, i) => ({
      result: sampleResult({ incidentArmId: arm.addIncident({}, workspace) }),
      deliveryId: `msg_${randomUUID()}`,
      progress: memoryProgress(),
      worker: workers[i % 2] as Sink,
    }));
    let deferrals = 0;
    // What the worker does: deliver; on SINK_UNAVAILABLE with retryAfterMs, deliver again after it.
    await Promise.all(
      alerts.map(async ({ result, deliveryId, progress, worker }) => {
        for (;;) {
          try {
            return await worker.deliver(result, { deliveryId, progress });
          } catch (error) {
            const deferred = error as { code?: string; retryAfterMs?: number };
            if (deferred.code !== 'SINK_UNAVAILABLE' || deferred.retryAfterMs === undefined) throw error;
            deferrals += 1;
            await new Promise((resolve) => setTimeout(resolve, deferred.retryAfterMs));
          }
        }
      }),
    );
    await Promise.all(workers.map((w) => w.close()));
    expect(arm.counters.throttled).toBe(0);
    expect(deferrals).toBeGreaterThan(0);
    for (const { result, deliveryId } of alerts) {
      expect(arm.commentsOf(result.incidentArmId ?? '')).toHaveLength(1);
      expect(ingest.rows.filter((row) => row.DeliveryId === deliveryId)).toHaveLength(result.ips.length);
    }
  });
});

describe('Logs Ingestion emulator fidelity with @azure/monitor-ingestion', () => {
  let ingest: LogsIngestionEmulator;
  beforeAll(async () => {
    ingest = await startLogsIngestionEmulator({ token, rules: { [dcr]: ['Custom-Enrich_CL'] } });
  });
  afterEach(() => ingest.setMode({ kind: 'normal' }));
  afterAll(() => ingest.close());

  const client = (tokenValue = token) => new LogsIngestionClient(ingest.url, tokenCredentialFrom(staticTokenSource(tokenValue)));

  it('accepts the SDK chunks of ~1 KB records, including the slack above 1,000,000 bytes', async () => {
    const logs = Array.from({ length: 2_000 }, (_, i) => ({ TimeGenerated: new Date().toISOString(), N: i, Pad: 'p'.repeat(1_000) }));
    const before = ingest.uploads.length;
    await client().upload(dcr, 'Custom-Enrich_CL', logs);
    const uploads = ingest.uploads.slice(before);
    expect(uploads.length).toBeGreaterThanOrEqual(3);
    expect(uploads.reduce((n, u) => n + u.rows.length, 0)).toBe(2_000);
    expect(Math.max(...uploads.map((u) => u.bytes))).toBeGreaterThan(1_000_000);
    expect(uploads.every((u) => u.gzip && String(u.headers['user-agent']).includes('azsdk-js-monitor-ingestion'))).toBe(true);
  });

  it('lets the SDK retry a 429 after Retry-After', async () => {
    ingest.setMode({ kind: 'status', status: 429, retryAfter: '1' }, 1);
    const before = ingest.counters.requests;
    await client().upload(dcr, 'Custom-Enrich_CL', [{ TimeGenerated: new Date().toISOString(), N: 1 }]);
    expect(ingest.counters.requests - before).toBe(2);
  });

  it('gives the SDK its error envelope: a 400 is not retried and surfaces the code', async () => {
    const before = ingest.counters.requests;
    const error = await client()
      .upload(dcr, 'Custom-Unknown_CL', [{ N: 1 }])
      .catch((e: unknown) => e);
    expect(isAggregateLogsUploadError(error)).toBe(true);
    const cause = isAggregateLogsUploadError(error) ? (error.errors[0]?.cause as { statusCode?: number; code?: string }) : undefined;
    expect(cause).toMatchObject({ statusCode: 400, code: 'InvalidStream' });
    expect(ingest.counters.requests - before).toBe(1);
  });

  it('rejects a wrong bearer token', async () => {
    const error = await client('wrong-token')
      .upload(dcr, 'Custom-Enrich_CL', [{ N: 1 }])
      .catch((e: unknown) => e);
    const cause = isAggregateLogsUploadError(error) ? (error.errors[0]?.cause as { statusCode?: number }) : undefined;
    expect(cause?.statusCode).toBe(401);
  });

  it('requires a JSON array, api-version and a bearer token on the raw wire', async () => {
    const path = `/dataCollectionRules/${dcr}/streams/Custom-Enrich_CL`;
    const post = (query: string, body: string, auth = `Bearer ${token}`) =>
      fetch(`${ingest.url}${path}${query}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });
    const notArray = await post('?api-version=2023-01-01', '{"N":1}');
    expect([notArray.status, notArray.headers.get('x-ms-error-code')]).toEqual([400, 'InvalidRequestBody']);
    expect(((await notArray.json()) as { error: { code: string } }).error.code).toBe('InvalidRequestBody');
    expect((await post('', '[]')).status).toBe(400);
    expect((await post('?api%2Dversion=2023-01-01', '[{"N":1}]')).status).toBe(204);
    expect((await post('?api-version=2023-01-01', '[{"N":1}]', '')).status).toBe(401);
    const tooBig = await post('?api-version=2023-01-01', JSON.stringify([{ Pad: 'p'.repeat(1_000_700) }]));
    expect(tooBig.status).toBe(413);
  });
});
