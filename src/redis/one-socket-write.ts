import type { Socket } from 'node:net';
import { Cluster } from 'ioredis';
import type { Redis } from './connection.js';

/**
 * Runs `send`, whose commands on `redis` then leave in one socket write: the socket is corked until
 * the check phase of this event-loop turn (setImmediate), after the promises and ticks `send` started
 * have run, which covers a command issued after a few awaits, as BullMQ's are. Calls made by other
 * callbacks of the same turn (the answers of several webhooks read in one poll) join that write.
 * One write instead of several is one system call instead of several, on machines where those are
 * dear. A Redis Cluster client is left as it is: its commands go to several sockets.
 */
export function inOneSocketWrite<T>(redis: Redis, send: () => T): T {
  const socket = redis instanceof Cluster ? undefined : (redis.stream as Socket | undefined);
  if (socket === undefined || socket.destroyed || redis.status !== 'ready') return send();
  socket.cork();
  try {
    return send();
  } finally {
    // Each call uncorks once; the socket writes when the last of the turn has (Writable counts corks).
    setImmediate(() => socket.uncork());
  }
}
