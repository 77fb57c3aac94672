import { parseArgs } from 'node:util';
import { IpenrichError } from '../errors.js';
import { parseAlertBatch } from '../queue/alert-batch.js';
import { acceptAlerts } from '../pipeline/intake.js';
import { openRuntime } from '../composition/runtime.js';
import { createRedisAlertRevisions } from '../state/alert-revisions.js';
import type { Command } from './command.js';
import { readInput } from './read-input.js';

const usage = `Usage: ipenrich enqueue [FILE|-]… [--tenant NAME] [--callback-url URL]

Puts alerts on the queue and prints one JSON line per job: {"jobId","alertId","tenant","duplicate"}.
Each input holds one alert (JSON object), several (JSON array) or NDJSON; "-" or no FILE reads stdin.
Every input is read and checked before anything is queued. The same alert (same id) queued twice is
enriched once ("duplicate": true).`;

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
    const runtime = await openRuntime(io.env);
    try {
      const { config } = runtime;
      if (values.tenant !== undefined && !Object.hasOwn(config.tenants, values.tenant)) {
        throw new IpenrichError('USAGE', `unknown tenant "${values.tenant}" (configured: ${Object.keys(config.tenants).join(', ')})`);
      }
      const sources = positionals.length > 0 ? positionals : ['-'];
      const alerts: unknown[] = [];
      for (const source of sources) {
        const text = (await readInput(source, io.stdin, config.EXTRACT_MAX_INPUT_BYTES)).toString('utf8');
        alerts.push(...parseAlertBatch(text, source === '-' ? 'standard input' : source));
      }
      const jobs = await acceptAlerts(
        runtime.queue,
        alerts.map((alert) => ({
          alert,
          ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
          ...(values['callback-url'] === undefined ? {} : { callbackUrl: values['callback-url'] }),
        })),
        {
          defaultTenant: config.IPENRICH_DEFAULT_TENANT,
          attempts: config.JOB_ATTEMPTS,
          backoffMs: config.JOB_BACKOFF_MS,
          revisions: createRedisAlertRevisions(runtime.redis, runtime.keys),
        },
      );
      for (const { jobId, alertId, tenant, duplicate } of jobs) io.stdout.write(`${JSON.stringify({ jobId, alertId, tenant, duplicate })}\n`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
