/**
 * Child process for limiter-processes.test.ts: several loops call the shared limiter as fast as it
 * lets them (sleeping exactly the wait it answers) until the parent's stop time, then report every
 * admission with its Redis timestamp.
 * argv: redisUrl prefix tenant rateLimits safetyMs concurrency
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseRateLimits } from '../../../../src/enrich/rate-windows.js';
import { createRateLimiter } from '../../../../src/enrich/limiter.js';
import { createRedis } from '../../../../src/redis/connection.js';
import { keySpace } from '../../../../src/redis/keys.js';
import { hear, tell } from '../support/child-process.js';

const [redisUrl = '', prefix = '', tenant = '', limits = '', safety = '0', concurrency = '1'] = process.argv.slice(2);
const windows = parseRateLimits(limits);
if (typeof windows === 'string') throw new Error(windows);

const redis = createRedis(redisUrl);
const limiter = createRateLimiter({ redis, keys: keySpace(prefix), windows, safetyMs: Number(safety), inflightMs: 5_000 });
await redis.ping();
tell('ready');
const { stopAt } = await hear<{ stopAt: number }>();

const admissions: number[] = [];
let refusals = 0;
async function hammer(): Promise<void> {
  for (;;) {
    const answer = await limiter.acquire(tenant);
    if (answer.admitted) {
      admissions.push(answer.at);
      // The "call" is over at once; until settled it would count at its in-flight bound.
      await limiter.settle(tenant, answer.ticket);
    } else {
      refusals += 1;
    }
    if (answer.at >= stopAt) return;
    if (!answer.admitted) {
      if (answer.at + answer.waitMs >= stopAt) return;
      await sleep(answer.waitMs);
    }
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, hammer));
tell('done', { admissions, refusals });
await redis.quit();
