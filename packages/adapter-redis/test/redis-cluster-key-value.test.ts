import { describeKeyValueConformance } from '@portcullis/core/testing';
import { Cluster } from 'ioredis';
import { afterAll, describe } from 'vitest';
import { type RedisKeyValue, redisKeyValue } from '../src/index.js';
import { redisClusterUrl } from './support/redis-cluster.js';

// The same conformance suite on a Redis Cluster (the README says Cluster is supported): keys of one
// call may live on different nodes, so a multi-key command such as MGET would answer CROSSSLOT.
// The project's global setup starts a three-master cluster on free ports (support/start-redis-cluster.ts).
const url = redisClusterUrl();

const clusters: Cluster[] = [];
const adapters: RedisKeyValue[] = [];

afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  for (const cluster of clusters) cluster.disconnect();
});

describe.skipIf(!url)('redisKeyValue (Redis Cluster)', () => {
  describeKeyValueConformance('redis cluster', {
    unorderedPublish: 'each PUBLISH may go to another node of the cluster',
    create: async () => {
      const { hostname, port } = new URL(url!);
      const cluster = new Cluster([{ host: hostname, port: Number(port) }], {
        redisOptions: { maxRetriesPerRequest: 2 },
      });
      clusters.push(cluster);
      const kv = redisKeyValue(cluster, {
        keyPrefix: `pct:${Math.random().toString(36).slice(2)}:`,
      });
      adapters.push(kv);
      return kv;
    },
  });
});
