import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { isClusterUrl } from '../../../src/redis/connection.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return ((error as { details?: { problems?: string[] } }).details?.problems) ?? [String(error)];
  }
}

describe('Redis Cluster configuration', () => {
  it('recognises the cluster schemes and nothing else', () => {
    expect(isClusterUrl('redis+cluster://10.0.0.1:6379')).toBe(true);
    expect(isClusterUrl('rediss+cluster://:pw@redis.example.net:6380')).toBe(true);
    expect(isClusterUrl('redis://127.0.0.1:6379')).toBe(false);
    expect(isClusterUrl('rediss://cluster.example.net:6380')).toBe(false);
  });

  it('accepts a cluster URL with a hash-tagged prefix', () => {
    const config = loadConfig({ REDIS_URL: 'redis+cluster://10.0.0.1:6379', IPENRICH_PREFIX: '{ipenrich}' });
    expect(config.REDIS_URL).toBe('redis+cluster://10.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: 'rediss+cluster://r:6380', IPENRICH_PREFIX: 'prod-{acme}' }).IPENRICH_PREFIX).toBe('prod-{acme}');
  });

  it.each(['ipenrich', '{}ipenrich', 'ipenrich}{', '{ipenrich'])('refuses the prefix %s on a cluster, naming the fix', (prefix) => {
    const problems = problemsOf({ REDIS_URL: 'redis+cluster://10.0.0.1:6379', IPENRICH_PREFIX: prefix });
    expect(problems).toEqual([expect.stringMatching(/^IPENRICH_PREFIX: must hold a hash tag such as \{ipenrich\}/)]);
  });

  it('does not require a tag on a single server', () => {
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379', IPENRICH_PREFIX: 'ipenrich' })).toEqual([]);
  });

  it('still refuses other schemes', () => {
    expect(problemsOf({ REDIS_URL: 'http://10.0.0.1:6379' })).toEqual([expect.stringMatching(/^REDIS_URL: must be a redis:\/\//)]);
  });
});
