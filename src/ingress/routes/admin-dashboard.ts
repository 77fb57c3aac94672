import { createBullBoard } from '@bull-board/api';
import { FastifyAdapter } from '@bull-board/fastify';
import type { IngressApp, IngressDeps } from '../ingress-deps.js';
import { RedactingQueueAdapter } from '../redacting-queue-adapter.js';

const ADMIN_PATH = '/admin';

/**
 * The bull-board queue dashboard under /admin, for operator keys only (the auth hook reads the
 * `access` of every route in this context; a browser logs in with HTTP Basic, the key as password).
 * Jobs are shown with their callback URLs' credentials redacted.
 */
export async function registerAdminDashboard(app: IngressApp, deps: Pick<IngressDeps, 'queue'>): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  createBullBoard({
    queues: [new RedactingQueueAdapter(deps.queue, { description: 'Alerts waiting for, in, and done with enrichment. Failed = the dead-letter queue.' })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'ipenrich' } },
  });
  await app.register(
    async (admin) => {
      admin.addHook('onRoute', (route) => {
        route.config = { ...route.config, access: 'operator' };
      });
      await admin.register(serverAdapter.registerPlugin());
    },
    { prefix: ADMIN_PATH },
  );
}
