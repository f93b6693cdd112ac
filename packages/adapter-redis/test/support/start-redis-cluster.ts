import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { CLUSTER_URL_ENV } from './redis-cluster.js';

// The vitest global setup of the adapter-redis project (see vitest.config.ts): a three-master
// Redis Cluster of its own for the suites that need one, started on ports the OS hands out,
// nothing on disk but each node's nodes.conf in a temp dir, and stopped after the last file.
// PORTCULLIS_TEST_REDIS_CLUSTER_URL, when set, names a running cluster to use instead.

const run = promisify(execFile);
const NODES = 3;
const READY_TIMEOUT_MS = 20_000;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env[CLUSTER_URL_ENV];
  if (given) {
    project.provide('redisClusterUrl', given);
    return undefined;
  }
  const missing = ['redis-server', 'redis-cli'].filter((command) => !onPath(command));
  if (missing.length > 0) {
    const why = `${missing.join(' and ')} not on PATH`;
    if (process.env.CI === 'true') {
      throw new Error(`${why}: CI must run the Redis Cluster suites, not skip them`);
    }
    console.warn(`Redis Cluster suites skipped: ${why} (or set ${CLUSTER_URL_ENV})`);
    project.provide('redisClusterUrl', null);
    return undefined;
  }
  const cluster = await startCluster();
  project.provide('redisClusterUrl', cluster.url);
  return cluster.stop;
}

/** Starts the nodes, joins them into one cluster and waits until every node says it is ok. */
async function startCluster(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-redis-cluster-'));
  // each node listens on two ports, its clients' and the cluster bus (by default port + 10000,
  // which may be taken or out of range): both are picked free
  const ports = await freePorts(NODES * 2);
  const nodes: { port: number; process: ChildProcess; output: string[] }[] = [];
  const killAll = () => {
    for (const node of nodes) node.process.kill('SIGKILL');
  };
  // a test run killed mid-way must not leave servers behind
  process.once('exit', killAll);

  const stop = async () => {
    process.off('exit', killAll);
    await Promise.all(
      nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.process.exitCode !== null || node.process.signalCode !== null) return resolve();
            node.process.once('exit', () => resolve());
            node.process.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < NODES; i++) {
      const port = ports[i]!;
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(ports[NODES + i]!),
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const output: string[] = [];
      const keep = (chunk: Buffer) => output.push(chunk.toString()) > 50 && output.shift();
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      nodes.push({ port, process: child, output });
    }
    await Promise.all(nodes.map((node) => waitFor(() => redisCli(node.port, 'ping'), /PONG/, node)));
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: READY_TIMEOUT_MS },
    );
    await Promise.all(
      nodes.map((node) => waitFor(() => redisCli(node.port, 'cluster', 'info'), /cluster_state:ok/, node)),
    );
  } catch (error) {
    const logs = nodes.map((node) => `node :${node.port}\n${node.output.join('')}`).join('\n');
    await stop();
    throw new Error(`could not start a Redis Cluster: ${String(error)}\n${logs}`);
  }
  return { url: `redis://127.0.0.1:${nodes[0]!.port}`, stop };
}

async function redisCli(port: number, ...command: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], {
    timeout: 2_000,
  });
  return stdout;
}

async function waitFor(
  read: () => Promise<string>,
  expected: RegExp,
  node: { port: number; process: ChildProcess },
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (node.process.exitCode !== null) throw new Error(`redis-server on :${node.port} exited`);
    last = await read().catch((error: unknown) => String(error));
    if (expected.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`node :${node.port} did not answer ${expected} in time; last: ${last.trim()}`);
}

/** Ports the OS hands out, all held open together so that no two are the same. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => isExecutable(join(dir, command)));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
