import { parseArgs } from 'node:util';
import { tenantNamed } from '../config/tenant-named.js';
import { pendingLimitOf } from '../config/pending-limit.js';
import { IpenrichError } from '../errors.js';
import { alertsQuery, incomingAlerts, parseAlertsBody, type IncomingAlert, type RoutingDefaults } from '../ingress/alert-payload.js';
import { callbackCheckFromConfig } from '../ingress/callback-check.js';
import { parseAlertDocuments, type AlertDocument } from '../queue/alert-batch.js';
import { acceptAlerts, type AlertRequest } from '../pipeline/intake.js';
import { openRuntime } from '../composition/runtime.js';
import { createRedisAlertRevisions } from '../state/alert-revisions.js';
import type { Command } from './command.js';
import { readInput } from './read-input.js';

const usage = `Usage: ipenrich enqueue [FILE|-]… [--tenant NAME] [--callback-url URL]

Puts alerts on the queue and prints one JSON line per job: {"jobId","alertId","tenant","duplicate"}.
Each input holds what POST /v1/alerts accepts (one alert, an envelope {"alert","tenant","callbackUrl"},
a Graph list response, or a JSON array of them) or NDJSON of them; "-" or no FILE reads stdin. An
alert is a non-empty JSON object. Every input is read and checked, callback URLs included, before
anything is queued. The same alert (same id) queued twice is enriched once ("duplicate": true).
--tenant and --callback-url apply to the alerts whose envelope names none.`;

/**
 * The alerts of one input document, checked as POST /v1/alerts checks a body (src/ingress/alert-payload.ts):
 * an alert is a non-empty JSON object; an envelope gives its alert's tenant and callback URL; a Graph
 * list response holds several alerts. What the ingress refuses with a 400, this refuses with exit 2.
 */
function alertsOf({ label, document }: AlertDocument, defaults: RoutingDefaults): IncomingAlert[] {
  const parsed = parseAlertsBody(document);
  if (!parsed.ok) {
    const issues = parsed.issues.map(({ path, message }) => `${path === 'body' ? '' : `at ${path.replace(/^body\./, '')}: `}${message}`);
    throw new IpenrichError('INPUT_INVALID', `${label}: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`);
  }
  return incomingAlerts(parsed.value, defaults);
}

export const command: Command = {
  name: 'enqueue',
  summary: 'put alerts (JSON, JSON array or NDJSON) on the queue; prints job ids',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { tenant: { type: 'string' }, 'callback-url': { type: 'string' } },
    });
    const callbackUrl = values['callback-url'];
    if (callbackUrl !== undefined && !alertsQuery.shape.callbackUrl.safeParse(callbackUrl).success) {
      throw new IpenrichError('USAGE', `--callback-url must be an http:// or https:// URL of at most 2,048 characters; got ${JSON.stringify(callbackUrl.slice(0, 100))}`);
    }
    const runtime = await openRuntime(io.env);
    try {
      const { config } = runtime;
      if (values.tenant !== undefined && !tenantNamed(config, values.tenant)) {
        throw new IpenrichError('USAGE', `unknown tenant "${values.tenant}" (configured: ${Object.keys(config.tenants).join(', ')})`);
      }
      const sources = positionals.length > 0 ? positionals : ['-'];
      const alerts: IncomingAlert[] = [];
      for (const source of sources) {
        const text = (await readInput(source, io.stdin, config.EXTRACT_MAX_INPUT_BYTES)).toString('utf8');
        for (const document of parseAlertDocuments(text, source === '-' ? 'standard input' : source)) {
          alerts.push(...alertsOf(document, { tenant: values.tenant, callbackUrl }));
        }
      }
      // Every alert is checked before any is queued, as the ingress does: a callback URL the
      // tenant's webhook sink would refuse fails here, not later in the dead-letter queue.
      const checkCallback = callbackCheckFromConfig(config);
      const requests: AlertRequest[] = [];
      for (const incoming of alerts) {
        const tenant = incoming.tenant ?? config.IPENRICH_DEFAULT_TENANT;
        if (!tenantNamed(config, tenant)) throw new IpenrichError('TENANT_UNKNOWN', `an envelope names tenant "${tenant}", which is not configured (configured: ${Object.keys(config.tenants).join(', ')})`);
        if (incoming.callbackUrl !== undefined) await checkCallback(incoming.callbackUrl, tenant);
        requests.push({ alert: incoming.alert, tenant, ...(incoming.callbackUrl === undefined ? {} : { callbackUrl: incoming.callbackUrl }) });
      }
      const jobs = await acceptAlerts(runtime.queue, requests, {
        defaultTenant: config.IPENRICH_DEFAULT_TENANT,
        attempts: config.JOB_ATTEMPTS,
        backoffMs: config.JOB_BACKOFF_MS,
        maxPendingFor: pendingLimitOf(config),
        revisions: createRedisAlertRevisions(runtime.redis, runtime.keys),
      });
      for (const { jobId, alertId, tenant, duplicate } of jobs) io.stdout.write(`${JSON.stringify({ jobId, alertId, tenant, duplicate })}\n`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
