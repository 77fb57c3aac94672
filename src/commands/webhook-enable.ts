import { createRedisDisabledEndpoints } from '../../connectors/webhook/index.js';
import { IpenrichError } from '../errors.js';
import { openRuntime } from '../composition/runtime.js';
import type { Command } from './command.js';

const usage = `Usage: ipenrich webhook-enable URL

A webhook endpoint that answers 410 Gone is disabled for every worker (Standard Webhooks). Once the
receiver is back, this re-enables it; then "ipenrich dlq retry --all" re-sends what it missed.
"ipenrich status" lists the disabled endpoints.`;

export const command: Command = {
  name: 'webhook-enable',
  summary: 're-enable a webhook endpoint disabled after 410 Gone',
  usage,
  async run(args, io) {
    const [text, ...rest] = args;
    if (text === undefined || rest.length > 0) throw new IpenrichError('USAGE', 'give one URL: ipenrich webhook-enable URL');
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new IpenrichError('USAGE', `not a URL: ${text}`);
    }
    const runtime = await openRuntime(io.env);
    try {
      const store = createRedisDisabledEndpoints(runtime.redis, runtime.keys.disabledEndpoints());
      const wasDisabled = await store.isDisabled(url);
      await store.enable(url);
      io.stdout.write(wasDisabled ? 'Re-enabled.\n' : 'That endpoint was not disabled.\n');
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
