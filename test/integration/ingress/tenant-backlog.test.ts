import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PendingJobs } from '../../../src/queue/pending-jobs.js';
import { startIngressHarness, type HttpAnswer, type IngressHarness } from './support/ingress-harness.js';

const alert = (id: string): Record<string, unknown> => ({ id, src_ip: '203.0.113.9' });

function errorOf(answer: HttpAnswer): { code: string; message: string } {
  return (answer.json as { error: { code: string; message: string } }).error;
}

/**
 * TENANT_MAX_PENDING_ALERTS: one tenant's flood is refused at its own limit, with nothing half
 * queued, while another tenant's alerts keep being accepted. No worker runs: every accepted alert
 * stays pending.
 */
describe('a tenant\'s limit of pending alerts', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    // contoso's own limit; fabrikam inherits the top level's.
    const file = join(mkdtempSync(join(tmpdir(), 'ipe-backlog-')), 'ipenrich.json');
    writeFileSync(file, JSON.stringify({ tenants: { contoso: { TENANT_MAX_PENDING_ALERTS: 3 }, fabrikam: {} } }));
    harness = await startIngressHarness({ env: { IPENRICH_CONFIG: file, TENANT_MAX_PENDING_ALERTS: '5' } });
  });
  afterAll(() => harness.close());

  it('refuses the request that would pass it with 429 BACKLOG_FULL and Retry-After, queues none of its alerts, and leaves other tenants alone', async () => {
    const post = (key: string, alerts: unknown[]): Promise<HttpAnswer> => harness.http('POST', '/v1/alerts', { key, body: alerts });
    expect((await post(harness.keys.contoso, [alert('c-1'), alert('c-2')])).status).toBe(202);

    // Two more would make 4 of 3: the whole request is refused, c-3 included.
    const refused = await post(harness.keys.contoso, [alert('c-3'), alert('c-4')]);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(errorOf(refused)).toEqual({
      code: 'BACKLOG_FULL',
      message: 'tenant "contoso" has 2 alerts pending and this request adds 2: more than TENANT_MAX_PENDING_ALERTS (3); nothing was queued',
    });
    const pending = new PendingJobs(harness.ingress.deps.queue.redis, harness.ingress.deps.queue.keySpace);
    expect(await pending.count('contoso')).toBe(2);

    // One more fits exactly.
    expect((await post(harness.keys.contoso, [alert('c-3')])).status).toBe(202);
    expect((await post(harness.keys.contoso, [alert('c-4')])).status).toBe(429);

    // fabrikam counts its own alerts against its own (inherited) limit.
    const fabrikam = await post(harness.keys.fabrikam, [1, 2, 3, 4, 5].map((n) => alert(`f-${n}`)));
    expect(fabrikam.status).toBe(202);
    expect(errorOf(await post(harness.keys.fabrikam, [alert('f-6')])).message).toContain('tenant "fabrikam" has 5 alerts pending');
    expect(await pending.count('contoso')).toBe(3);
    expect(await pending.count('fabrikam')).toBe(5);
    expect(await harness.ingress.deps.queue.getJobCountByTypes('waiting', 'prioritized')).toBe(8);
    // What an operator alerts on before senders get 429s.
    const metrics = (await harness.http('GET', '/metrics', { key: harness.keys.operator })).text.split('\n');
    for (const line of [
      'ipenrich_tenant_pending_alerts{tenant="contoso"} 3',
      'ipenrich_tenant_pending_limit{tenant="contoso"} 3',
      'ipenrich_tenant_pending_alerts{tenant="fabrikam"} 5',
      'ipenrich_tenant_pending_limit{tenant="fabrikam"} 5',
    ]) expect(metrics).toContain(line);

    // Once some of contoso's alerts are done, it may send again.
    const done = (await harness.ingress.deps.queue.getJobs(['prioritized', 'waiting'], 0, 20)).find((queued) => queued.data.tenant === 'contoso');
    if (!done?.id) throw new Error('no contoso job queued');
    await pending.leave({ jobId: done.id, tenant: 'contoso', severity: done.data.meta?.severity ?? null });
    expect((await post(harness.keys.contoso, [alert('c-4')])).status).toBe(202);
  });
});
