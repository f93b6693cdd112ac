import { inject } from 'vitest';

/** Names a running Redis Cluster to test against instead of starting one. */
export const CLUSTER_URL_ENV = 'PORTCULLIS_TEST_REDIS_CLUSTER_URL';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cluster the global setup started (or was given); null when it could not (suites skip). */
    redisClusterUrl: string | null;
  }
}

/**
 * The URL of a node of the Redis Cluster this run tests against, started by the project's global
 * setup (`start-redis-cluster.ts`), or undefined when `redis-server` is not installed (the
 * Cluster suites skip; under `CI=true` the setup fails instead).
 */
export function redisClusterUrl(): string | undefined {
  return inject('redisClusterUrl') ?? undefined;
}
