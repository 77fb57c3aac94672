import { z } from 'zod';
import { IpenrichError } from '../../errors.js';
import type { IngressApp, IngressDeps } from '../ingress-deps.js';
import { errorBody } from '../response-schemas.js';

const healthAnswer = z.object({ status: z.literal('ok') });

/** Probes, Prometheus metrics and the OpenAPI document. */
export function registerOperationsRoutes(app: IngressApp, deps: IngressDeps): void {
  app.route({
    method: 'GET',
    url: '/healthz',
    config: { access: 'public' },
    schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: healthAnswer } },
    handler: (_request, reply) => {
      void reply.send({ status: 'ok' });
    },
  });

  app.route({
    method: 'GET',
    url: '/readyz',
    config: { access: 'public' },
    schema: {
      summary: 'Readiness: Redis reachable and the queue usable',
      description: '503 while Redis is down: take the replica out of the load balancer, alerts could not be persisted.',
      tags: ['operations'],
      response: { 200: healthAnswer, 503: errorBody },
    },
    handler: async () => {
      await deps.guard(() => deps.ready());
      return { status: 'ok' as const };
    },
  });

  app.route({
    method: 'GET',
    url: '/metrics',
    config: { access: 'operator' },
    schema: {
      summary: 'Prometheus metrics',
      description:
        'Requests of this replica, plus queue depth, API budget per window and tenant, cache, Defender calls, limiter waits, sink deliveries and job latency of every process (shared through Redis). Operator keys only.',
      tags: ['operations'],
      security: [{ apiKey: [] }, { bearer: [] }],
      produces: ['text/plain'],
    },
    handler: async (_request, reply) => {
      const { contentType, text } = await deps.metrics.render();
      return reply.type(contentType).send(text);
    },
  });

  app.route({
    method: 'GET',
    url: '/openapi.json',
    config: { access: 'public' },
    schema: { hide: true },
    handler: (_request, reply) => {
      void reply.send(app.swagger());
    },
  });

  app.setNotFoundHandler(() => {
    throw new IpenrichError('NOT_FOUND', 'no such endpoint; see /openapi.json');
  });
}
