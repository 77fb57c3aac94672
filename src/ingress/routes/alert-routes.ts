import type { FastifyReply, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { pendingLimitOf } from '../../config/pending-limit.js';
import { IpenrichError } from '../../errors.js';
import { acceptAlerts, type AcceptedAlert, type AlertRequest } from '../../pipeline/intake.js';
import {
  alertsBody,
  alertsQuery,
  enrichBody,
  incomingAlerts,
  parseAlertsBody,
  parseEnrichBody,
  type IncomingAlert,
  type Parsed,
} from '../alert-payload.js';
import { requireCaller, tenantFor, type Caller } from '../caller.js';
import { reasonForCaller } from '../failure-reason.js';
import type { IngressApp, IngressDeps } from '../ingress-deps.js';
import { jobFailedError } from '../job-failure.js';
import { PENDING_STATES, pollAfterSeconds, readJob, viewJob } from '../job-view.js';
import { alertsAccepted, enrichAnswer, errorBody, type acceptedJob } from '../response-schemas.js';
import { statusUrlFor } from '../status-url.js';

/** The body is checked by `parse` (which tells alert, envelope and list apart first); the rest by the zod schemas. */
function bodyCheckedBy<S, T>(parse: (body: unknown) => Parsed<T>, expected: string): FastifySchemaCompiler<S> {
  return (route) => {
    // The other parts of these routes (querystring) are zod schemas like everywhere else.
    if (route.httpPart !== 'body') return validatorCompiler({ ...route, schema: route.schema as z.ZodType });
    return (data: unknown) => {
      const parsed = parse(data);
      if (parsed.ok) return { value: parsed.value };
      return { error: new IpenrichError('INPUT_INVALID', `the body is not ${expected}`, { details: { issues: parsed.issues } }) };
    };
  };
}

/** Aborts when the client hangs up before we answer, so a synchronous wait stops listening. */
function hangUpSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  return controller.signal;
}

const ERRORS = { 400: errorBody, 401: errorBody, 403: errorBody, 413: errorBody, 415: errorBody, 429: errorBody, 503: errorBody };

export function registerAlertRoutes(app: IngressApp, deps: IngressDeps): void {
  const { config, guard, queue, jobs, metrics, results } = deps;
  const tenantChoice = { tenants: Object.keys(config.tenants), defaultTenant: config.IPENRICH_DEFAULT_TENANT };
  const intake = {
    defaultTenant: config.IPENRICH_DEFAULT_TENANT,
    attempts: config.JOB_ATTEMPTS,
    backoffMs: config.JOB_BACKOFF_MS,
    maxPendingFor: pendingLimitOf(config),
    revisions: deps.revisions,
    now: deps.now,
  };

  /** Tenant and callback checks for every alert first, then one enqueue: nothing is queued when one alert is refused. */
  async function enqueue(caller: Caller, alerts: readonly IncomingAlert[]): Promise<AcceptedAlert[]> {
    if (alerts.length > config.INGRESS_MAX_BATCH) {
      throw new IpenrichError('INPUT_INVALID', `at most ${config.INGRESS_MAX_BATCH} alerts per request (INGRESS_MAX_BATCH); got ${alerts.length}`);
    }
    const requests: AlertRequest[] = [];
    for (const incoming of alerts) {
      const tenant = tenantFor(caller, incoming.tenant, tenantChoice);
      if (incoming.callbackUrl !== undefined) await deps.checkCallback(incoming.callbackUrl, tenant);
      requests.push({ alert: incoming.alert, tenant, ...(incoming.callbackUrl === undefined ? {} : { callbackUrl: incoming.callbackUrl }) });
    }
    const queued = await guard(() => acceptAlerts(queue, requests, intake));
    for (const job of queued) metrics.alertAccepted(job.tenant, job.duplicate);
    return queued;
  }

  function accepted({ meta, ...job }: AcceptedAlert): z.infer<typeof acceptedJob> {
    return { ...job, format: meta.format, incidentArmId: meta.incidentArmId, statusUrl: statusUrlFor(config, job.jobId) };
  }

  app.route({
    method: 'POST',
    url: '/v1/alerts',
    config: { queryToken: true },
    validatorCompiler: bodyCheckedBy(parseAlertsBody, 'an alert, an envelope or a list of them'),
    schema: {
      summary: 'Queue alerts for enrichment',
      description:
        'Answers 202 once every alert is persisted in Redis (never before). The result goes to the configured sinks and to the alert\'s callback URL; poll `statusUrl` for it. The same alert sent again is recognised (`duplicate: true`) and enriched once.',
      tags: ['alerts'],
      security: [{ apiKey: [] }, { bearer: [] }, { queryToken: [] }],
      querystring: alertsQuery,
      body: alertsBody,
      response: { 202: alertsAccepted, ...ERRORS },
    },
    handler: async (request, reply) => {
      const caller = requireCaller(request);
      const { tenant, callbackUrl } = request.query;
      const queued = await enqueue(caller, incomingAlerts(request.body, { tenant, callbackUrl }));
      const first = queued[0];
      if (queued.length === 1 && first) reply.header('location', statusUrlFor(config, first.jobId));
      return reply.code(202).send({ jobs: queued.map(accepted) });
    },
  });

  app.route({
    method: 'POST',
    url: '/v1/enrich',
    config: { queryToken: true },
    validatorCompiler: bodyCheckedBy(parseEnrichBody, 'one alert or one envelope (several go to POST /v1/alerts)'),
    schema: {
      summary: 'Enrich one alert and wait for the result',
      description:
        `Queues the alert like POST /v1/alerts, then waits up to INGRESS_SYNC_TIMEOUT_MS (default 25 s, below the usual playbook HTTP timeouts). 200 with the result when it is ready; 202 with \`Location\` and \`Retry-After\` when the API budget makes it wait longer (then poll \`statusUrl\`). An alert that was already enriched answers at once. 422 JOB_FAILED (final, not to be retried) when the job failed for good, with the reason; 503 with \`Retry-After\` for a temporary failure.`,
      tags: ['alerts'],
      security: [{ apiKey: [] }, { bearer: [] }, { queryToken: [] }],
      querystring: alertsQuery,
      body: enrichBody,
      response: { 200: enrichAnswer, 202: enrichAnswer, 422: errorBody, ...ERRORS },
    },
    handler: async (request, reply) => {
      const caller = requireCaller(request);
      const { tenant, callbackUrl } = request.query;
      const [queued] = await enqueue(caller, incomingAlerts(request.body, { tenant, callbackUrl }));
      if (!queued) throw new IpenrichError('INTERNAL', 'no job was queued for the alert');
      const { jobId, duplicate } = queued;
      const statusUrl = statusUrlFor(config, jobId);
      const timeoutMs = config.INGRESS_SYNC_TIMEOUT_MS;
      const outcome = await guard(() => jobs.wait(jobId, timeoutMs, hangUpSignal(reply)), timeoutMs + config.INGRESS_REDIS_TIMEOUT_MS);
      const found = outcome.kind === 'finished' ? outcome : outcome.kind === 'pending' ? await guard(() => readJob(queue, results, jobId)) : undefined;
      if (!found) throw new IpenrichError('NOT_FOUND', `job ${jobId} is gone (removed after it finished); send the alert again`);
      const view = viewJob(found, statusUrl, reasonForCaller(caller, config));
      if (view.state === 'failed') throw jobFailedError(view);
      if (view.state === 'completed') return reply.code(200).send({ ...view, duplicate });
      reply.header('location', statusUrl).header('retry-after', String(pollAfterSeconds(view.state)));
      return reply.code(202).send({ ...view, duplicate, state: PENDING_STATES.has(view.state) ? view.state : 'waiting' });
    },
  });
}
