import { createAuth } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';

/**
 * The whole cached path an app calls: `auth.api.authorize` (membership and compiled rules from the
 * authorization cache, the server's context facts, one decision), awaited one call at a time, on
 * the in-memory storage so that only revalidation reads (every `revalidateAfterMs`) reach it.
 * `authorizer.decide` in the main cases is the engine alone; this is what the API adds to it.
 *
 * @param {{ tenants: number, membersPerTenant: number, calls: number, warmupCalls: number }} s
 */
export async function benchCachedAuthorizeCall(s, secret) {
  const storage = memoryStorage();
  const auth = createAuth({
    storage,
    secret,
    baseURL: 'http://localhost:3000',
    rateLimit: { enabled: false },
    outbox: { autoStart: false },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const asks = [];
  for (let t = 0; t < s.tenants; t++) {
    const owner = await auth.api.createUser({ email: `owner${t}@bench.example` });
    const tenant = await auth.api.createTenant(owner.id, { slug: `bench-${t}`, name: `Bench ${t}` });
    for (let m = 0; m < s.membersPerTenant; m++) {
      const user = await auth.api.createUser({ email: `m${t}.${m}@bench.example` });
      const now = new Date();
      await storage.memberships.create({
        id: `${tenant.id}-${m}`,
        tenantId: tenant.id,
        userId: user.id,
        roles: [m % 2 === 0 ? 'member' : 'viewer'],
        attributes: {},
        createdAt: now,
        updatedAt: now,
      });
      // a member may read members, a viewer may not: both answers occur
      asks.push({ userId: user.id, tenantId: tenant.id, action: 'member.read', expected: m % 2 === 0 });
    }
  }
  for (const ask of asks) await auth.api.authorize(ask);

  const pick = () => asks[Math.floor(Math.random() * asks.length)];
  for (let i = 0; i < s.warmupCalls; i++) await auth.api.authorize(pick());
  globalThis.gc?.();
  const latencies = new Float64Array(s.calls);
  const start = process.hrtime.bigint();
  for (let i = 0; i < s.calls; i++) {
    const ask = pick();
    const t0 = process.hrtime.bigint();
    const decision = await auth.api.authorize(ask);
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    if (decision.allowed !== ask.expected) throw new Error(`wrong decision for ${JSON.stringify(ask)}`);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await auth.close();
  latencies.sort();
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    name: `Portcullis auth.api.authorize, cached (${s.tenants} tenants × ${s.membersPerTenant} members), awaited`,
    opsPerSecond: s.calls / seconds,
    p50Us: at(50),
    p99Us: at(99),
  };
}
