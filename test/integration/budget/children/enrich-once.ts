/**
 * Child process for enricher-processes.test.ts: one enricher (its own connections, like any worker)
 * enriches one IP with a counting client that behaves as told, telling the parent when it calls.
 * argv: redisUrl prefix tenant ip lockMs behaviour (seen | hang | throttle:<retryAfterMs>)
 */
import { createEnricher } from '../../../../src/enrich/enricher.js';
import { IpenrichError } from '../../../../src/errors.js';
import { createRedis } from '../../../../src/redis/connection.js';
import { keySpace } from '../../../../src/redis/keys.js';
import { tell } from '../support/child-process.js';
import { createCountingClient, type Behaviour } from '../support/counting-client.js';

const [redisUrl = '', prefix = '', tenant = '', ip = '', lockMs = '1000', behaviour = 'seen'] = process.argv.slice(2);

function planned(): Behaviour {
  if (behaviour === 'seen' || behaviour === 'hang') return behaviour;
  const retryAfterMs = Number(behaviour.replace('throttle:', ''));
  return new IpenrichError('MDE_THROTTLED', 'TooManyRequests', { statusCode: 429, retryAfterMs });
}

const redis = createRedis(redisUrl);
const counting = createCountingClient({ redis, callsKey: `${prefix}:test-calls:${tenant}`, behaviour: planned });
const enricher = createEnricher({
  redis,
  keys: keySpace(prefix),
  windows: [{ max: 100, windowMs: 1_000 }],
  safetyMs: 10,
  ttls: { seenMs: 60_000, notSeenMs: 60_000, invalidMs: 60_000 },
  lockMs: Number(lockMs),
  clientFor: () => ({
    async getIpStats(request) {
      const answer = counting.getIpStats(request);
      tell('called', { ip: request.ip });
      return answer;
    },
  }),
});
const results = await enricher.enrich(tenant, [ip], { lookBackHours: 48, deadline: Date.now() + 200 });
tell('result', { result: results[0] });
await enricher.close();
await redis.quit();
