import type { AccessTokenSource } from '../../../../src/auth/access-token-source.js';
import { connectorRateLimiter } from '../../../../src/composition/connector-rate-limiter.js';
import { keySpace } from '../../../../src/redis/keys.js';
import type { SentinelSinkDependencies } from '../../../../connectors/sentinel/index.js';
import { connectTestRedis, uniquePrefix } from '../../../support/redis.js';

/** The Sentinel sink's dependencies as the composition builds them: shared rate limits on the test Redis. */
export async function sentinelDeps(): Promise<{ deps: (tokens: AccessTokenSource) => SentinelSinkDependencies; close: () => Promise<void> }> {
  const prefix = uniquePrefix('sentinel');
  const { redis, cleanup } = await connectTestRedis(prefix);
  const keys = keySpace(prefix);
  return {
    deps: (tokens) => ({ tokens, rateLimiter: (name, windows) => connectorRateLimiter(redis, keys, `sentinel:${name}`, windows) }),
    close: cleanup,
  };
}
