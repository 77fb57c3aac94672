import { parseArgs } from 'node:util';
import { IpenrichError } from '../errors.js';
import { openRuntime } from '../composition/runtime.js';
import { escapeControl } from '../escape-control.js';
import { redactUrlsIn } from '../http/redact-url.js';
import type { Command } from './command.js';
import { integerOption } from './integer-option.js';

const usage = `Usage: ipenrich dlq list [--json] [--limit N]
       ipenrich dlq retry (JOB_ID… | --all)
       ipenrich dlq purge (JOB_ID… | --all)

The dead-letter queue holds alerts that failed for good (non-retryable error, or retries used up),
each with its reason. "retry" puts them back on the queue (results already delivered to a sink are
not sent there again); "purge" deletes them.`;

const PAGE = 1_000;

export const command: Command = {
  name: 'dlq',
  summary: 'list, retry or purge failed alerts (dead-letter queue)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, all: { type: 'boolean' }, limit: { type: 'string' } },
    });
    const [action, ...ids] = positionals;
    if (action !== 'list' && action !== 'retry' && action !== 'purge') throw new IpenrichError('USAGE', `expected list, retry or purge, got ${JSON.stringify(String(action ?? '').slice(0, 40))}; run ipenrich dlq --help`);
    if (action !== 'list' && ids.length === 0 && !values.all) throw new IpenrichError('USAGE', `dlq ${action} needs job ids or --all`);
    const limit = integerOption('limit', values.limit, 1) ?? PAGE;

    const runtime = await openRuntime(io.env);
    try {
      const { queue } = runtime;
      const jobs = values.all || action === 'list'
        ? await queue.getFailed(0, (action === 'list' ? limit : Number.MAX_SAFE_INTEGER) - 1)
        : await Promise.all(ids.map(async (id) => {
            const job = await queue.getJob(id);
            if (!job || !(await job.isFailed())) throw new IpenrichError('USAGE', `no failed job with id ${id}`);
            return job;
          }));

      if (action === 'list') {
        const rows = jobs.map((job) => ({
          jobId: job.id,
          alertId: job.data.alertId,
          tenant: job.data.tenant,
          format: job.data.format,
          attempts: job.attemptsMade,
          failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
          // The reason may quote the callback URL, whose query carries the caller's credential.
          reason: redactUrlsIn(job.failedReason),
        }));
        // Alert ids and reasons come from alerts and receivers: no raw control reaches the terminal. In
        // JSON the escapes are JSON's own, so a parser still reads the original text.
        if (values.json) io.stdout.write(`${escapeControl(JSON.stringify(rows))}\n`);
        else if (rows.length === 0) io.stdout.write('The dead-letter queue is empty.\n');
        else for (const row of rows) io.stdout.write(`${escapeControl(`${row.jobId ?? ''}  ${row.failedAt ?? '-'}  ${row.tenant}  ${row.alertId}`)}\n    ${escapeControl(row.reason)}\n`);
        return 0;
      }
      for (const job of jobs) {
        if (action === 'retry') await job.retry('failed');
        else await job.remove();
      }
      io.stdout.write(`${action === 'retry' ? 'Retried' : 'Purged'} ${jobs.length} job(s).\n`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
