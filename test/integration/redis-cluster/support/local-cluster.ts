import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, waitForRedisPing } from '../../../../src/redis/local-server.js';

const run = promisify(execFile);

interface ClusterNode {
  readonly port: number;
  /** First and last hash slot this master serves. */
  readonly slots: readonly [number, number];
}

export interface LocalCluster {
  /** The cluster URL ipenrich takes (REDIS_URL), seeded with the first node. */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /** The node that serves one hash slot. */
  nodeForSlot(slot: number): ClusterNode;
  /** A plain connection to one node (for CLUSTER KEYSLOT and for looking at where keys live). */
  connect(node: ClusterNode): Redis;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A real three-master Redis Cluster on loopback, in a temporary directory: `redis-server` in cluster
 * mode three times, joined by `redis-cli --cluster create` (which assigns the 16,384 slots evenly and
 * waits until every node agrees). No replicas: the tests are about slots, not failover.
 */
export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ipenrich-cluster-'));
  const children: ChildProcess[] = [];
  try {
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      // The cluster bus defaults to port + 10000, which may be taken or above 65535: pick it too.
      const busPort = await freePort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--bind', '127.0.0.1',
          '--dir', nodeDir,
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-port', String(busPort),
          '--cluster-node-timeout', '2000',
          '--save', '',
          '--appendonly', 'no',
          '--loglevel', 'warning',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      await waitForRedisPing(`redis://127.0.0.1:${port}`, child);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-yes'], { timeout: 30_000 });

    const probe = new Redis(ports[0] ?? 0, '127.0.0.1', { maxRetriesPerRequest: 1 });
    let nodes: ClusterNode[];
    try {
      // `--cluster create` returns once the configuration is consistent; wait until the cluster serves.
      const deadline = Date.now() + 10_000;
      while (!(await probe.cluster('INFO')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('the local cluster did not reach cluster_state:ok');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      nodes = (await probe.cluster('SLOTS')).map(([first, last, master]) => ({ port: master?.[1] ?? 0, slots: [first, last] as const }));
    } finally {
      probe.disconnect();
    }

    return {
      url: `redis+cluster://127.0.0.1:${ports[0]}`,
      nodes,
      nodeForSlot(slot) {
        const node = nodes.find(({ slots: [first, last] }) => slot >= first && slot <= last);
        if (!node) throw new Error(`no node serves slot ${slot}`);
        return node;
      },
      connect: (node) => new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: 1 }),
      async stop() {
        await Promise.all(children.map(stopChild));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
