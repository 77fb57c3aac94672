import { z } from 'zod';
import { IpenrichError } from '../../errors.js';
import { requireCaller } from '../caller.js';
import { reasonForCaller } from '../failure-reason.js';
import type { IngressApp, IngressDeps } from '../ingress-deps.js';
import { jobFailedError } from '../job-failure.js';
import { PENDING_STATES, pollAfterSeconds, readJob, viewJob } from '../job-view.js';
import { errorBody, jobView } from '../response-schemas.js';
import { statusUrlFor } from '../status-url.js';

export function registerJobRoute(app: IngressApp, deps: IngressDeps): void {
  const { config, guard, queue, results } = deps;

  app.route({
    method: 'GET',
    url: '/v1/jobs/:id',
    schema: {
      summary: 'A job\'s state and result',
      description:
        '202 while the job is still pending (with `Location` to poll and `Retry-After`: the asynchronous request-reply pattern that Logic Apps follows), 200 once it completed (with `result`), 422 JOB_FAILED once it failed for good (final: the reason is in the message; a playbook\'s "run after: failed" branch runs), 503 with `Retry-After` for a temporary failure. A tenant-bound key sees its own tenant\'s jobs only.',
      tags: ['jobs'],
      security: [{ apiKey: [] }, { bearer: [] }],
      params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a job id as returned by POST /v1/alerts') }),
      response: { 200: jobView, 202: jobView, 400: errorBody, 401: errorBody, 404: errorBody, 422: errorBody, 429: errorBody, 503: errorBody },
    },
    handler: async (request, reply) => {
      const caller = requireCaller(request);
      const { id } = request.params;
      const found = await guard(() => readJob(queue, results, id));
      // Another tenant's job is reported as absent, not as forbidden: its existence is not theirs to know.
      if (!found || (caller.tenant !== undefined && found.job.data.tenant !== caller.tenant)) {
        throw new IpenrichError('NOT_FOUND', `no job ${id} (jobs are kept a day after they complete, a week after they fail)`);
      }
      const view = viewJob(found, statusUrlFor(config, id), reasonForCaller(caller, config));
      if (view.state === 'failed') throw jobFailedError(view);
      if (!PENDING_STATES.has(view.state)) return reply.code(200).send(view);
      reply.header('location', view.statusUrl).header('retry-after', String(pollAfterSeconds(view.state)));
      return reply.code(202).send(view);
    },
  });
}
