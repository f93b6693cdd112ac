/**
 * One measured run of autocannon against a token endpoint, with the CPU time each process spent
 * during it (as `load.js` does for the protected request). Every connection posts its own form:
 * a client-credentials request of one M2M client, or a refresh of one refresh-token family that
 * carries on with the successor each answer returns (a refresh token is spent by its first use,
 * on both libraries), as a real client would.
 */
import autocannon from 'autocannon';
import { cpuDelta, descendantPids, readCpu } from './process-cpu.js';

/**
 * @typedef {{
 *   first(connection: number): string,
 *   next?(responseBody: string): string,
 * }} FormSource
 *   `first(i)`: the form body connection `i` of this run starts with; `next(body)`: the form body
 *   after a 200 answer `body` (omit to post the same form again)
 */

/**
 * `connections` connections posting `application/x-www-form-urlencoded` forms to `url` for
 * `seconds`. A connection whose answer is not a 200 posts the same form again (and the run
 * fails its cleanliness check: every answer must be a 200).
 *
 * @param {{ url: string, connections: number, seconds: number, forms: FormSource, processes: import('./load.js').CountedProcesses }} options
 */
export async function runTokenLoad({ url, connections, seconds, forms, processes }) {
  const serverPids = () => [processes.serverPid, ...descendantPids(processes.serverPid)];
  const pgBefore = processes.postgresBackends ? await processes.postgresBackends() : [];
  const before = { server: readCpu(serverPids()), postgres: readCpu(pgBefore) };
  const { pathname } = new URL(url);
  let connection = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    setupClient(client) {
      // a request object of this connection's own: autocannon shares `requests` between
      // connections, and setBody changes the object in place
      const request = {
        method: 'POST',
        path: pathname,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: forms.first(connection++),
      };
      if (forms.next)
        request.onResponse = (status, body) => {
          // called before the connection builds its next request
          if (status === 200) client.setBody(forms.next(body));
        };
      client.setRequests([request]);
    },
  });
  const pgAfter = processes.postgresBackends ? await processes.postgresBackends() : [];
  const after = {
    server: readCpu(serverPids()),
    postgres: readCpu(new Set([...pgBefore, ...pgAfter])),
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
      redis: null,
    },
  };
}
