import { createHash } from 'node:crypto';
import type { IpenrichError } from '../../../../src/errors.js';
import type { IpStatsClient, IpStatsRecord, IpStatsRequest } from '../../../../src/enrich/ip-stats.js';
import type { Redis } from '../../../../src/redis/connection.js';

/** What the fake Defender does for one IP: answer seen / not seen, fail, or never answer. */
export type Behaviour = 'seen' | 'not_seen' | 'hang' | IpenrichError;

export interface CountingClient extends IpStatsClient {
  /** Every IP asked for, by every process sharing `callsKey`, in call order. */
  calls(): Promise<string[]>;
}

/**
 * A real implementation of our own IpStatsClient port for tests: it records each call in a Redis
 * list (so calls from several processes add up) and answers with a record derived from the IP.
 */
export function createCountingClient(options: {
  redis: Redis;
  callsKey: string;
  delayMs?: number;
  behaviour?: (ip: string) => Behaviour;
}): CountingClient {
  const { redis, callsKey, delayMs = 0, behaviour = () => 'seen' } = options;
  return {
    async getIpStats({ ip, lookBackHours, signal }: IpStatsRequest): Promise<IpStatsRecord> {
      await redis.rpush(callsKey, ip);
      const planned = behaviour(ip);
      await new Promise<void>((resolve, reject) => {
        const abort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (planned !== 'hang') setTimeout(resolve, delayMs);
        signal?.addEventListener('abort', abort, { once: true });
      });
      if (planned instanceof Error) throw planned;
      const seen = planned === 'seen';
      const prevalence = seen ? 1 + (createHash('sha256').update(ip).digest()[0] ?? 0) : 0;
      return {
        ip,
        prevalence,
        firstSeen: seen ? '2024-01-02T03:04:05Z' : null,
        lastSeen: seen ? '2024-02-03T04:05:06Z' : null,
        seen,
        lookBackHours,
        fetchedAt: new Date().toISOString(),
      };
    },
    calls: () => redis.lrange(callsKey, 0, -1),
  };
}
