import { createHash } from 'node:crypto';
import type { IpenrichError } from '../../../../src/errors.js';
import type { IpStatsClient, IpStatsRecord, IpStatsRequest } from '../../../../src/enrich/ip-stats.js';
import type { Redis } from '../../../../src/redis/connection.js';

/** What the fake Defender does for one IP: answer seen / not seen, fail, or never answer. */
export type Behaviour = 'seen' | 'not_seen' | 'hang' | IpenrichError;

export interface CountingClient extends IpStatsClient {
  /** Every IP asked for, by every process sharing `callsKey`, in call order. */
  calls(): Promise<string[]>;
  /** Redis time (epoch ms) of each call this client made, in call order: what the limiter's clock said then. */
  readonly calledAt: readonly number[];
}

/**
 * A real implementation of our own IpStatsClient port for tests: it records each call in a Redis
 * list (so calls from several processes add up) and answers with a record derived from the IP.
 */
export function createCountingClient(options: {
  redis: Redis;
  callsKey: string;
  delayMs?: number;
  /** Answers (after `delayMs`) only once this settles: lets a test decide when the call ends. */
  gate?: Promise<void>;
  behaviour?: (ip: string) => Behaviour;
}): CountingClient {
  const { redis, callsKey, delayMs = 0, gate, behaviour = () => 'seen' } = options;
  const calledAt: number[] = [];
  return {
    calledAt,
    async getIpStats({ ip, lookBackHours, signal }: IpStatsRequest): Promise<IpStatsRecord> {
      const reply = await redis.multi().rpush(callsKey, ip).time().exec();
      const [seconds = '0', micros = '0'] = (reply?.[1]?.[1] as [string, string] | undefined) ?? [];
      calledAt.push(Number(seconds) * 1000 + Number(micros) / 1000);
      const planned = behaviour(ip);
      await new Promise<void>((resolve, reject) => {
        const abort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (signal?.aborted) return abort();
        if (planned !== 'hang') {
          const answer = (): void => void setTimeout(resolve, delayMs);
          if (gate) void gate.then(answer);
          else answer();
        }
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
