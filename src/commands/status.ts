import { parseArgs } from 'node:util';
import { openRuntime } from '../composition/runtime.js';
import { collectStatus } from '../status/collect-status.js';
import { renderStatus } from '../status/render-status.js';
import type { Command } from './command.js';

const usage = `Usage: ipenrich status [--json]

Queue counts, API budget used and remaining per window and tenant (with an estimate of how long the
backlog needs), cache size and hit ratio, and each tenant's sink health — read from Redis, so it
covers every worker. --json prints the same as one JSON object for scripts.`;

export const command: Command = {
  name: 'status',
  summary: 'queue depth, budget per window and tenant, cache and sink health',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
    const runtime = await openRuntime(io.env);
    try {
      const report = await collectStatus(runtime);
      io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${renderStatus(report)}\n`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
