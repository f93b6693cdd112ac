/**
 * One measured run of autocannon against one server, with the CPU time each process spent during
 * it. autocannon runs in this (the runner's) process and is not counted.
 */
import autocannon from 'autocannon';
import { cpuDelta, descendantPids, readCpu } from './process-cpu.js';

/**
 * The processes whose CPU a run counts: the server (with its descendants: `next start` may fork),
 * the PostgreSQL backends of the bench database (listed anew for each run: a pool may open a
 * connection during it) and Redis.
 *
 * @typedef {{ serverPid: number, postgresBackends?: () => Promise<number[]>, redisPid?: number | null }} CountedProcesses
 */

/**
 * `connections` connections for `seconds`, each connection carrying the session cookie of the
 * next user of `cookies` (so the connections of one run are different users; `cursor.next`
 * carries on across runs, so successive runs use other users).
 *
 * @returns {Promise<{ requests: number, seconds: number, requestsPerSecond: number, p50Ms: number, p99Ms: number, non2xx: number, errors: number, cpuSeconds: { server: number, postgres: number | null, redis: number | null } }>}
 */
export async function runLoad({ url, cookies, cursor, connections, seconds, processes }) {
  const serverPids = () => [processes.serverPid, ...descendantPids(processes.serverPid)];
  const pgBefore = processes.postgresBackends ? await processes.postgresBackends() : [];
  const before = {
    server: readCpu(serverPids()),
    postgres: readCpu(pgBefore),
    redis: readCpu(processes.redisPid ? [processes.redisPid] : []),
  };
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    setupClient(client) {
      const cookie = cookies[cursor.next++ % cookies.length];
      client.setHeaders({ cookie });
    },
  });
  const pgAfter = processes.postgresBackends ? await processes.postgresBackends() : [];
  const after = {
    server: readCpu(serverPids()),
    postgres: readCpu(new Set([...pgBefore, ...pgAfter])),
    redis: readCpu(processes.redisPid ? [processes.redisPid] : []),
  };
  const ok = result['2xx'];
  return {
    requests: result.requests.total,
    ok,
    seconds: result.duration,
    requestsPerSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuSeconds: {
      server: cpuDelta(before.server, after.server),
      postgres: processes.postgresBackends ? cpuDelta(before.postgres, after.postgres) : null,
      redis: processes.redisPid ? cpuDelta(before.redis, after.redis) : null,
    },
  };
}
